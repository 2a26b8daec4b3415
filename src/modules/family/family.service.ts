import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Deps } from '../../deps.js';
import { randomToken, sha256Hex } from '../../shared/crypto.js';
import { isTimeZone } from '../../shared/dates.js';
import { AppError, ErrorCode, badInput, conflict, forbidden, notFound } from '../../shared/errors.js';
import { parseCurrency } from '../../shared/money.js';
import type { Principal } from '../auth/auth.service.js';
import type { Caller } from '../auth/caller.js';
import { normalizeName } from '../auth/auth.validation.js';
import { User } from '../auth/user.entity.js';
import type { FamilyAccess } from './family-access.js';
import type { FamilyId } from './family-id.js';
import { Family, Invite, Membership, Role } from './family.entity.js';
import type { CreateFamilyInput, CreateInviteInput, UpdateFamilyInput } from './family.inputs.js';
import {
  INVITES,
  readFamilies,
  readMember,
  type FamilyRow,
  type InviteRow,
  type MemberRow,
} from './family.read.js';
import type { CreatedInvite } from './family.types.js';

const FAMILY_NAME_MAX = 100;

/** Families, members and invites (A3: only owner/admin manage members and invites; the last owner stays). */
export class FamilyService {
  constructor(
    private readonly deps: Deps,
    private readonly em: EntityManager,
    private readonly access: FamilyAccess,
  ) {}

  async families(): Promise<FamilyRow[]> {
    return readFamilies(this.em, this.access.userId, [...(await this.access.memberships()).keys()]);
  }

  async family(id: string): Promise<FamilyRow> {
    return (await readFamilies(this.em, this.access.userId, [await this.access.family(id)]))[0]!;
  }

  async create(principal: Principal, input: CreateFamilyInput): Promise<FamilyRow> {
    const user = await this.em.findOneOrFail(User, principal.userId);
    const family = this.newFamily({
      name: familyName(input.name, 'input.name'),
      baseCurrency: parseCurrency(
        input.baseCurrency ?? this.deps.config.defaultCurrency,
        'input.baseCurrency',
      ),
      monthStartDay: monthStartDay(input.monthStartDay ?? 1, 'input.monthStartDay'),
      timeZone: timeZone(input.timeZone ?? 'UTC', 'input.timeZone'),
    });
    this.em.create(Membership, { family, user, role: Role.OWNER, joinedAt: this.deps.clock.now() });
    user.defaultFamily ??= this.em.getReference(Family, family.id, { wrapped: true });
    await this.em.flush();
    await this.deps.sessionEvents.publish({ users: [user.id] });
    this.access.reset();
    return this.family(family.id);
  }

  async update(familyId: string, input: UpdateFamilyInput): Promise<FamilyRow> {
    const family = await this.em.findOneOrFail(Family, await this.access.family(familyId, Role.ADMIN));
    if (input.name != null) family.name = familyName(input.name, 'input.name');
    if (input.baseCurrency != null)
      family.baseCurrency = parseCurrency(input.baseCurrency, 'input.baseCurrency');
    if (input.monthStartDay != null)
      family.monthStartDay = monthStartDay(input.monthStartDay, 'input.monthStartDay');
    if (input.timeZone != null) family.timeZone = timeZone(input.timeZone, 'input.timeZone');
    await this.em.flush();
    // Every member's caller carries the currency, budget month and time zone.
    await this.deps.sessionEvents.publish({ families: [family.id] });
    this.access.reset();
    return this.family(family.id);
  }

  async setDefault(principal: Principal, familyId: string): Promise<FamilyRow> {
    const id = await this.access.family(familyId);
    const user = await this.em.findOneOrFail(User, principal.userId);
    user.defaultFamily = this.em.getReference(Family, id, { wrapped: true });
    await this.em.flush();
    await this.deps.sessionEvents.publish({ users: [user.id] });
    return this.family(id);
  }

  async createInvite(principal: Principal, input: CreateInviteInput): Promise<CreatedInvite> {
    const familyId = await this.access.family(input.familyId, Role.ADMIN, 'input.familyId');
    if (input.role === Role.OWNER)
      throw badInput('input.role', 'Invites cannot make owners; promote a member instead.');
    if (!Number.isInteger(input.expiresInHours) || input.expiresInHours < 1 || input.expiresInHours > 720) {
      throw badInput('input.expiresInHours', 'Expiry must be between 1 and 720 hours.');
    }
    if (!Number.isInteger(input.maxUses) || input.maxUses < 1 || input.maxUses > 100) {
      throw badInput('input.maxUses', 'Uses must be between 1 and 100.');
    }
    const now = this.deps.clock.now();
    // 128 bits, base64url: fits a Telegram deep link payload (join_<code>, <= 64 chars).
    const code = randomToken(16);
    const invite = this.em.create(Invite, {
      family: familyId,
      codeHash: sha256Hex(code),
      role: input.role,
      maxUses: input.maxUses,
      expiresAt: new Date(now.getTime() + input.expiresInHours * 3600_000),
      createdBy: principal.userId,
      createdAt: now,
    });
    await this.em.flush();
    return { invite: await this.access.row(INVITES, invite.id, 'Invite'), code };
  }

  async revokeInvite(inviteId: string): Promise<InviteRow> {
    const invite = await this.access.load(Invite, inviteId, 'Invite', Role.ADMIN);
    invite.revokedAt ??= this.deps.clock.now();
    await this.em.flush();
    return this.access.row(INVITES, invite.id, 'Invite');
  }

  /** Joins with an invite code; the use is counted atomically so a single-use code admits one user. */
  async join(principal: Principal, code: string): Promise<FamilyRow> {
    const invalid = () => new AppError(ErrorCode.NOT_FOUND, 'This invite code is invalid or has expired.');
    if (code.length > 64) throw invalid();
    const familyId = await this.em.transactional(async (em) => {
      const now = this.deps.clock.now();
      const invite = await em.findOne(
        Invite,
        { codeHash: sha256Hex(code.trim()) },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      if (
        invite === null ||
        invite.revokedAt !== null ||
        invite.expiresAt <= now ||
        invite.uses >= invite.maxUses
      ) {
        throw invalid();
      }
      const existing = await em.findOne(Membership, { family: invite.family.id, user: principal.userId });
      if (existing !== null) throw conflict('You are already a member of this family.');
      invite.uses += 1;
      em.create(Membership, {
        family: invite.family,
        user: principal.userId,
        role: invite.role,
        joinedAt: now,
      });
      await em.flush();
      // Joining a household is a move into it: its ledger becomes the one used when none is named.
      await em.nativeUpdate(User, { id: principal.userId }, { defaultFamily: invite.family.id });
      return invite.family.id;
    });
    await this.deps.sessionEvents.publish({ users: [principal.userId] });
    this.access.reset();
    return this.family(familyId);
  }

  async changeRole(principal: Principal, familyId: string, userId: string, role: Role): Promise<MemberRow> {
    const id = await this.access.family(familyId, Role.ADMIN);
    const myRole = (await this.access.roleIn(id))!;
    await this.em.transactional(async (em) => {
      const member = await this.lockedMember(em, id, userId);
      // Only owners make or unmake owners.
      if ((role === Role.OWNER || member.role === Role.OWNER) && myRole !== Role.OWNER) {
        throw forbidden('Only an owner can change who is an owner.');
      }
      if (member.role === Role.OWNER && role !== Role.OWNER) await this.assertAnotherOwner(em, id, member.id);
      member.role = role;
      await em.flush();
    });
    await this.deps.sessionEvents.publish({ users: [userId] });
    return (await readMember(this.em, id, userId))!;
  }

  async removeMember(principal: Caller, familyId: string, userId: string): Promise<boolean> {
    // Leaving is the account's decision, not an integration's (K1): a token may remove others only.
    if (principal.token !== undefined && userId === principal.userId) {
      throw forbidden('Personal access tokens cannot leave a family; sign in as the user instead.');
    }
    const id = await this.access.family(familyId, userId === principal.userId ? Role.VIEWER : Role.ADMIN);
    const myRole = (await this.access.roleIn(id))!;
    await this.em.transactional(async (em) => {
      const member = await this.lockedMember(em, id, userId);
      if (member.role === Role.OWNER && userId !== principal.userId && myRole !== Role.OWNER) {
        throw forbidden('Only an owner can remove an owner.');
      }
      if (member.role === Role.OWNER) await this.assertAnotherOwner(em, id, member.id);
      await em.nativeDelete(Membership, { id: member.id });
      await em.nativeUpdate(User, { id: userId, defaultFamily: id }, { defaultFamily: null });
    });
    await this.deps.sessionEvents.publish({ users: [userId] });
    this.access.reset();
    return true;
  }

  leave(principal: Caller, familyId: string): Promise<boolean> {
    return this.removeMember(principal, familyId, principal.userId);
  }

  private async lockedMember(em: EntityManager, familyId: FamilyId, userId: string): Promise<Membership> {
    // Lock every membership row of the family so two demotions cannot both see "another owner".
    const members = await em.find(Membership, { family: familyId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const member = members.find((m) => m.user.id === userId);
    if (member === undefined) throw notFound('Member');
    return member;
  }

  private async assertAnotherOwner(
    em: EntityManager,
    familyId: FamilyId,
    exceptMembershipId: string,
  ): Promise<void> {
    const owners = await em.count(Membership, {
      family: familyId,
      role: Role.OWNER,
      id: { $ne: exceptMembershipId },
    });
    if (owners === 0) {
      throw conflict('A family needs an owner: make someone else an owner first.');
    }
  }

  private newFamily(fields: Pick<Family, 'name' | 'baseCurrency' | 'monthStartDay' | 'timeZone'>): Family {
    return this.em.create(Family, { ...fields, createdAt: this.deps.clock.now() });
  }
}

function familyName(value: string, field: string): string {
  const name = normalizeName(value, field, true)!;
  if ([...name].length > FAMILY_NAME_MAX)
    throw badInput(field, `Name must be at most ${FAMILY_NAME_MAX} characters.`);
  return name;
}

function monthStartDay(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 28)
    throw badInput(field, 'Month start day must be 1 to 28.');
  return value;
}

function timeZone(value: string, field: string): string {
  if (!isTimeZone(value))
    throw badInput(field, `"${value.slice(0, 64)}" is not an IANA time zone like Europe/Berlin.`);
  return value;
}
