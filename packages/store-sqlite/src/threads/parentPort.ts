/**
 * A thread's side of its link to the store that started it, the same for
 * the two kinds of thread the runtimes offer: a `node:worker_threads`
 * worker (Node.js, Bun), which gets its data as `workerData` and can take
 * the messages waiting for it at once (`receiveMessageOnPort`), and a Web
 * Worker (Deno), which gets its data in a first `start` message and cannot;
 * there, the store shares a count of the messages it has sent
 * (`startThread.ts`), so that the thread can tell whether more are on their
 * way.
 *
 * @module
 */
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads"

/**
 * @since 0.3.0
 * @category models
 */
export interface ParentPort<Data> {
  /** What the thread was started with. */
  readonly data: Data
  /** Calls `handler` with each message from the store, in order. */
  readonly onMessage: (handler: (message: unknown) => void) => void
  readonly post: (message: unknown) => void
  /** The messages already waiting, taken at once (none where the runtime cannot). */
  readonly takeWaiting: () => unknown[]
  /** Whether messages the store has sent have not come yet (Web Worker; never on `worker_threads`). */
  readonly moreOnTheWay: () => boolean
  /** Ends the thread once its work is done. */
  readonly close: () => void
}

/** The Web Worker's global scope, as far as a thread uses it. */
interface WebWorkerScope {
  onmessage: ((event: { data: unknown }) => void) | null
  postMessage(message: unknown): void
  close(): void
}

/** The first message of a Web Worker (`startThread.ts`). */
interface StartMessage {
  readonly type: "start"
  readonly data: unknown
  /** Messages the store has sent, counted after each is posted. */
  readonly sent: Int32Array
}

const fromWorkerThreads = <Data>(): ParentPort<Data> | undefined => {
  const port = parentPort
  if (port === null) return undefined
  return {
    data: workerData as Data,
    onMessage: (handler) => {
      port.on("message", handler)
    },
    post: (message) => port.postMessage(message),
    takeWaiting: () => {
      const waiting: unknown[] = []
      for (let next = receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port)) {
        waiting.push(next.message)
      }
      return waiting
    },
    moreOnTheWay: () => false,
    close: () => port.close(),
  }
}

const fromWebWorker = <Data>(): Promise<ParentPort<Data>> => {
  const scope = globalThis as unknown as WebWorkerScope
  return new Promise((resolve) => {
    scope.onmessage = (first) => {
      const { data, sent } = first.data as StartMessage
      let received = 0
      // Messages that come before the thread listens wait here.
      const early: unknown[] = []
      let handle = (message: unknown): void => void early.push(message)
      scope.onmessage = (event) => {
        received++
        handle(event.data)
      }
      resolve({
        data: data as Data,
        onMessage: (handler) => {
          handle = handler
          for (const message of early.splice(0)) handler(message)
        },
        post: (message) => scope.postMessage(message),
        takeWaiting: () => [],
        moreOnTheWay: () => Atomics.load(sent, 0) > received,
        close: () => {
          scope.postMessage({ type: "closed" })
          scope.close()
        },
      })
    }
  })
}

/**
 * This thread's link to its store.
 *
 * @since 0.3.0
 * @category constructors
 */
export const connectToParent = async <Data>(): Promise<ParentPort<Data>> =>
  fromWorkerThreads<Data>() ?? fromWebWorker<Data>()
