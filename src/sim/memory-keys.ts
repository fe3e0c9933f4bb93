/** A plain in-memory Signal key store, the shape Baileys' signal repository expects. */
import type { SignalDataSet, SignalDataTypeMap, SignalKeyStore } from '@whiskeysockets/baileys'

export interface MemoryKeyStore extends SignalKeyStore {
  /** ids stored under a key type (tests use it to forget sessions on purpose) */
  ids(type: keyof SignalDataTypeMap): string[]
}

export function makeMemoryKeyStore(): MemoryKeyStore {
  const data = new Map<string, Map<string, unknown>>()
  return {
    ids: type => [...(data.get(type)?.keys() ?? [])],
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const bucket = data.get(type)
      const out: { [id: string]: SignalDataTypeMap[T] } = {}
      for (const id of ids) {
        const value = bucket?.get(id)
        if (value !== undefined) out[id] = value as SignalDataTypeMap[T]
      }
      return out
    },
    async set(update: SignalDataSet) {
      for (const [type, values] of Object.entries(update)) {
        let bucket = data.get(type)
        if (!bucket) data.set(type, (bucket = new Map()))
        for (const [id, value] of Object.entries(values ?? {})) {
          if (value === null || value === undefined) bucket.delete(id)
          else bucket.set(id, value)
        }
      }
    }
  }
}
