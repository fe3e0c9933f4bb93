/**
 * Baileys' Signal repository, with every decryption run under withDeferredKeyWrites: the session, sender-key and
 * pre-key changes a decryption makes are written together with the message it decrypted (early-store.ts), not
 * before it.
 *
 * Why: Baileys commits the advanced Signal state (the message key is used up) as soon as it has decrypted, then sends
 * the receipt, then hands the message to the app. If WaDock died between that commit and storing the message, the
 * server would deliver the stanza again (it was never acknowledged), but its key would be gone: libsignal fails with
 * "Key used already or never filled", which Baileys takes for a duplicate it already handled, so it NACKs the stanza
 * and the message is lost for good. The crash test (test/main/headless/crash.test.ts) caught exactly that. With the
 * key changes written in the message's own transaction, a used-up key on disk always comes with the stored message,
 * so Baileys' reading of it as a duplicate is right.
 */
import { DEFAULT_CONNECTION_CONFIG, type SocketConfig } from '@whiskeysockets/baileys'
import { withDeferredKeyWrites } from '../store/index.js'

type Repository = ReturnType<SocketConfig['makeSignalRepository']>

export const makeDeferringSignalRepository: SocketConfig['makeSignalRepository'] = (auth, logger, pnToLIDFunc) =>
  withDeferredDecryption(DEFAULT_CONNECTION_CONFIG.makeSignalRepository(auth, logger, pnToLIDFunc))

/** `repository` with decryptMessage and decryptGroupMessage run under withDeferredKeyWrites. */
export function withDeferredDecryption(repository: Repository): Repository {
  return {
    ...repository,
    decryptMessage: args => withDeferredKeyWrites(() => repository.decryptMessage(args)),
    decryptGroupMessage: args => withDeferredKeyWrites(() => repository.decryptGroupMessage(args))
  }
}
