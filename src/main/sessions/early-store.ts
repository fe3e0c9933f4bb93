/**
 * Stores each incoming message the moment Baileys has decrypted it, before Baileys sends the receipt that tells
 * WhatsApp the message arrived. Baileys' own order is decrypt → receipt → `messages.upsert`; a crash (or kill -9)
 * between the receipt and the app storing the upsert loses the message for good, because WhatsApp never delivers
 * an acknowledged stanza again. The crash test (test/main/headless/crash.test.ts) lost a message in about one run
 * in three this way.
 *
 * The one point Baileys calls between decryption and the receipt is its retry cache's `addRecentMessage(chat, id,
 * message)` (sock.messageRetryManager, present with the default `enableRecentMessageCache: true`). WaDock wraps it:
 * the stanza seen on the socket for that id gives the key, timestamp and push name (through Baileys' own
 * decodeMessageNode and cleanMessage, so the key is the one the later upsert carries), the message is stored in
 * one SQLite transaction and announced, and only then does Baileys go on to the receipt. The later upsert finds it
 * stored and announces nothing twice. A message that fails to decrypt is not stored here: it is never acknowledged
 * either (Baileys answers with a retry receipt), so WhatsApp delivers it again.
 */
import { type BinaryNode, type WAMessage, type WASocket, cleanMessage, decodeMessageNode, proto } from '@whiskeysockets/baileys'
import type { Logger } from 'pino'

/** Stanzas remembered until their message is decrypted; more than this means they are not messages we decrypt. */
const STANZAS_KEPT = 5_000

/** Returns false when the socket has no retry cache to hook (then only the usual upsert path stores messages). */
export function storeBeforeReceipt(sock: WASocket, store: (message: WAMessage) => void, logger: Logger): boolean {
  const manager = sock.messageRetryManager
  if (!manager) return false
  const stanzas = new Map<string, BinaryNode>()
  sock.ws.on('CB:message', (node: BinaryNode) => {
    const id = node.attrs.id
    if (!id) return
    stanzas.delete(id)
    stanzas.set(id, node)
    if (stanzas.size > STANZAS_KEPT) stanzas.delete(stanzas.keys().next().value!)
  })
  const addRecentMessage = manager.addRecentMessage.bind(manager)
  manager.addRecentMessage = (to, id, message) => {
    addRecentMessage(to, id, message)
    // our own sent messages pass here too: there is no incoming stanza for them
    const stanza = stanzas.get(id)
    if (!stanza) return
    stanzas.delete(id)
    try {
      const me = sock.authState.creds.me
      if (!me) return
      const { fullMessage } = decodeMessageNode(stanza, me.id, me.lid ?? '')
      if (fullMessage.key.remoteJid !== to) return
      // a copy: Baileys goes on to clean and emit its own object
      fullMessage.message = proto.Message.decode(proto.Message.encode(message).finish())
      cleanMessage(fullMessage, me.id, me.lid ?? '')
      store(fullMessage)
    } catch (err) {
      // the usual upsert path still stores it
      logger.warn({ id, err: err instanceof Error ? err.message : String(err) }, 'could not store a message before its receipt')
    }
  }
  return true
}
