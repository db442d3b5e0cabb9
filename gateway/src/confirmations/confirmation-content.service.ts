import { Injectable, Logger } from '@nestjs/common';
import { sha256Hex, type ConfirmationView, type EncryptedContent, type Institution } from '@econfirm/common';
import { encryptionKeyByKid, open, recipientKids, verifyReplySignature, type InstitutionPrivateKeys } from '@econfirm/sdk';
import type { Principal } from '../auth/principal';
import { RegistryReader } from '../institutions/registry-reader.service';
import { TenantsService } from '../tenants/tenants.service';

export type Readability = 'decrypted' | 'not-addressed' | 'no-key' | 'failed';

export interface OpenedContent<T = unknown> {
  ciphertext: string;
  contentHash: string;
  readable: Readability;
  content?: T;
  signature?: string;
}

/** A confirmation as a tenant sees it through the gateway: its own letters and replies in plain JSON. */
export type PresentedConfirmation = Omit<ConfirmationView, 'letter' | 'reply'> & {
  letter: OpenedContent;
  reply?: NonNullable<ConfirmationView['reply']> & OpenedContent & { signatureValid?: boolean };
};

/**
 * Decryption at the edge: only with the principal's own tenant institution keys (current or
 * retired by rotation), only content addressed to one of them. Plaintext goes to the caller, never to logs.
 */
@Injectable()
export class ConfirmationContentService {
  private readonly logger = new Logger('ConfirmationContent');

  constructor(
    private readonly tenants: TenantsService,
    private readonly registry: RegistryReader,
  ) {}

  async openFor<T>(principal: Principal, sealed: EncryptedContent, keys = this.tenants.institutionKeys(principal.tenantId)): Promise<OpenedContent<T>> {
    const base = { ciphertext: sealed.ciphertext, contentHash: sealed.contentHash };
    if (!keys) return { ...base, readable: 'no-key' };
    let kids: string[];
    try {
      kids = recipientKids(sealed.ciphertext);
    } catch {
      return { ...base, readable: 'failed' };
    }
    // The recipient kid picks the key: the current one, or one retired by rotation (or staged by one in progress).
    const key = kids.map((kid) => encryptionKeyByKid(keys, kid)).find((k) => k !== undefined);
    if (!key) return { ...base, readable: 'not-addressed' };
    try {
      const payload = await open<T>(sealed, key.kid, key.jwk);
      return { ...base, readable: 'decrypted', content: payload.content, ...(payload.signature ? { signature: payload.signature } : {}) };
    } catch (err) {
      this.logger.warn({ msg: 'content addressed to this tenant does not open', error: (err as Error).message });
      return { ...base, readable: 'failed' };
    }
  }

  async present(principal: Principal, view: ConfirmationView): Promise<PresentedConfirmation> {
    const keys: InstitutionPrivateKeys | undefined = this.tenants.institutionKeys(principal.tenantId);
    const letter = await this.openFor(principal, view.letter, keys);
    const { reply, ...rest } = view;
    if (!reply) return { ...rest, letter };
    const opened = await this.openFor(principal, reply, keys);
    const presentedReply: PresentedConfirmation['reply'] = { ...reply, ...opened };
    if (opened.signature) presentedReply.signatureValid = await this.verifySignature(principal, view, opened.signature);
    return { ...rest, letter, reply: presentedReply };
  }

  /** The reply JWS verifies with the responder's registry key of that kid and signs exactly this reply. */
  private async verifySignature(principal: Principal, view: ConfirmationView, jws: string): Promise<boolean | undefined> {
    const reply = view.reply;
    if (!reply) return undefined;
    if (sha256Hex(jws) !== reply.signatureHash) return false;
    try {
      const keyIn = (i: Institution) => [i.signingKey, ...i.retiredKeys].find((k) => k.kid === reply.signingKid);
      // A kid the cached record does not know may be a rotation whose event has not arrived yet: ask the ledger once.
      const key = keyIn(await this.registry.get(principal, view.responderId)) ?? keyIn(await this.registry.get(principal, view.responderId, { fresh: true }));
      if (!key) return false;
      await verifyReplySignature(jws, key.jwk, { confirmationId: view.id, conclusion: reply.conclusion, contentHash: reply.contentHash });
      return true;
    } catch {
      return false;
    }
  }
}
