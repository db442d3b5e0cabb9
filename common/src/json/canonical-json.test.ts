import { expect } from 'chai';
import { canonicalJson, CanonicalJsonError } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys recursively, inside arrays too', () => {
    const value = { b: 1, a: { d: [{ z: 1, y: 2 }], c: null } };
    expect(canonicalJson(value)).to.equal('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('gives the same bytes whatever the insertion order', () => {
    expect(canonicalJson({ x: 1, y: 'é' })).to.equal(canonicalJson({ y: 'é', x: 1 }));
  });

  it('orders keys by UTF-16 code units', () => {
    expect(canonicalJson({ b: 0, B: 0, 中: 0, a: 0 })).to.equal('{"B":0,"a":0,"b":0,"中":0}');
  });

  it('prints numbers as ECMAScript does, -0 as 0', () => {
    expect(canonicalJson([1e21, 0.1, -0, 10])).to.equal('[1e+21,0.1,0,10]');
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.create(null) as Record<string, number>;
    bare.k = 1;
    expect(canonicalJson(bare)).to.equal('{"k":1}');
  });

  for (const [name, value] of [
    ['undefined', undefined],
    ['an undefined member', { a: undefined }],
    ['NaN', NaN],
    ['Infinity', [Infinity]],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a class instance', new (class Thing {})()],
    ['a bigint', 1n],
    ['a function', () => 1],
  ] as const) {
    it(`refuses ${name}`, () => {
      expect(() => canonicalJson(value)).to.throw(CanonicalJsonError);
    });
  }

  it('refuses cycles but not shared references', () => {
    const shared = { s: 1 };
    expect(canonicalJson({ a: shared, b: shared })).to.equal('{"a":{"s":1},"b":{"s":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).to.throw(CanonicalJsonError, 'cycle');
  });

  it('names the path of the offending value', () => {
    expect(() => canonicalJson({ a: [1, { b: NaN }] })).to.throw('$.a[1].b');
  });
});
