/**
 * What the `worker-workerd` project's global setup (`test/nodeServiceSetup.ts`)
 * hands to the tests through `inject("clientService")`: the Node service
 * that `@cdp/client` sends to from inside workerd.
 */

export interface ClientService {
  readonly url: string
  readonly tenant: number
  /** Tenant A's key with every scope. */
  readonly key: string
  /** Tenant A's send-only key. */
  readonly sendKey: string
}

declare module "vitest" {
  interface ProvidedContext {
    clientService: ClientService
  }
}
