/**
 * Group metadata per session, so sending to a group does not ask WhatsApp for its participants every time
 * (Baileys' `cachedGroupMetadata`). Entries are filled when metadata arrives and dropped whenever the group changes.
 */
import type { BaileysEventMap, GroupMetadata } from '@whiskeysockets/baileys'

const MAX_GROUPS = 2_000

export class GroupMetadataCache {
  private readonly groups = new Map<string, GroupMetadata>()

  get(jid: string): GroupMetadata | undefined {
    return this.groups.get(jid)
  }

  set(metadata: GroupMetadata): void {
    if (this.groups.size >= MAX_GROUPS && !this.groups.has(metadata.id)) this.groups.delete(this.groups.keys().next().value!)
    this.groups.set(metadata.id, metadata)
  }

  /** Keeps the cache in step with what the socket reports. */
  observe(batch: Partial<BaileysEventMap>): void {
    for (const group of batch['groups.upsert'] ?? []) this.set(group)
    for (const update of batch['groups.update'] ?? []) if (update.id) this.groups.delete(update.id)
    const participants = batch['group-participants.update']
    if (participants) this.groups.delete(participants.id)
  }
}
