import { ConfirmationRequest, ConfirmationState, ConfirmationView, ErrorCode, InstitutionKind, LedgerError, Role } from '@econfirm/common';
import { forbidden, InstitutionCaller } from './caller';

/** The three parties of a request, each seen through the institution the caller acts for. */
export const Party = { Firm: 'firm', Client: 'client', Responder: 'responder' } as const;
export type Party = (typeof Party)[keyof typeof Party];

/** Roles that may act for the responder at each step; enterprises have no maker–checker roles. */
export const ResponderStep = { Handle: 'handle', Prepare: 'prepare', Review: 'review' } as const;
export type ResponderStep = (typeof ResponderStep)[keyof typeof ResponderStep];

const BANK_ROLES: Readonly<Record<ResponderStep, readonly Role[]>> = {
  handle: [Role.BankOfficer, Role.BankReviewer],
  prepare: [Role.BankOfficer],
  review: [Role.BankReviewer],
};
const ENTERPRISE_ROLES: Readonly<Record<ResponderStep, readonly Role[]>> = {
  handle: [Role.ClientSigner],
  prepare: [Role.ClientSigner],
  review: [],
};

export function responderRoles(responderKind: InstitutionKind, step: ResponderStep): readonly Role[] {
  return responderKind === InstitutionKind.Bank ? BANK_ROLES[step] : ENTERPRISE_ROLES[step];
}

function partyRoles(party: Party): readonly Role[] {
  switch (party) {
    case Party.Firm:
      return [Role.Auditor];
    case Party.Client:
      return [Role.ClientSigner];
    case Party.Responder:
      return [Role.BankOfficer, Role.BankReviewer, Role.ClientSigner];
  }
}

/**
 * Whether the caller is `party` to the request. The responder only becomes a party once the
 * client has authorized the letter (it is then delivered); before that it does not exist for them.
 */
export function isParty(caller: InstitutionCaller, request: ConfirmationRequest, party: Party): boolean {
  if (!partyRoles(party).includes(caller.role)) return false;
  const id = caller.institution.id;
  switch (party) {
    case Party.Firm:
      return request.firmId === id;
    case Party.Client:
      return request.clientId === id;
    case Party.Responder:
      return request.responderId === id && request.sentAt !== undefined;
  }
}

/**
 * A caller who is no party to a request learns nothing about it, not even that its id is taken:
 * the refusal is word for word the one for an id that does not exist.
 */
export function requireVisible(caller: InstitutionCaller, request: ConfirmationRequest): void {
  if (!isAnyParty(caller, request)) {
    throw new LedgerError(ErrorCode.NotFound, `confirmation ${request.id} does not exist`);
  }
}

/** The caller must be `party`; a party in the wrong capacity is FORBIDDEN, a stranger NOT_FOUND. */
export function requireParty(caller: InstitutionCaller, request: ConfirmationRequest, party: Party): void {
  requireVisible(caller, request);
  if (!isParty(caller, request, party)) {
    throw forbidden(`${caller.role} of ${caller.institution.id} is not the ${party} of confirmation ${request.id}`);
  }
}

export function isAnyParty(caller: InstitutionCaller, request: ConfirmationRequest): boolean {
  return isParty(caller, request, Party.Firm) || isParty(caller, request, Party.Client) || isParty(caller, request, Party.Responder);
}

/** Replies reach the auditor first: the client reads one only after the auditor accepted it (chaincode/README.md, threat model). */
export function mayReadReply(caller: InstitutionCaller, request: ConfirmationRequest): boolean {
  return isParty(caller, request, Party.Firm) || isParty(caller, request, Party.Responder)
    || request.state === ConfirmationState.AuditorAccepted;
}

export function withoutReply(request: ConfirmationRequest): ConfirmationRequest {
  const { reply: _reply, lastReplyRejection: _rejection, ...rest } = request;
  return rest;
}

/** The request as the caller may see it, or undefined when they are no party to it. */
export function viewFor(caller: InstitutionCaller, request: ConfirmationRequest, overdue: boolean): ConfirmationView | undefined {
  if (!isAnyParty(caller, request)) return undefined;
  return { ...(mayReadReply(caller, request) ? request : withoutReply(request)), overdue };
}
