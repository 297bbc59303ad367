import { describe, expect, it } from "vitest"
import { listenErrorText } from "../src/settings.ts"

const withCode = (code: string, message = `listen ${code}: something 0.0.0.0:80`) =>
  Object.assign(new Error(message), { code })

const say = (error: unknown) => listenErrorText("127.0.0.1", 8787, error)

describe("listenErrorText", () => {
  it("names the address it could not listen on", () => {
    expect(say(withCode("EADDRINUSE"))).toMatch(/^cannot listen on 127\.0\.0\.1:8787: /)
  })

  it("words the errors an operator can act on by their code", () => {
    expect(say(withCode("EADDRINUSE"))).toMatch(/already in use/)
    expect(say(withCode("EACCES"))).toMatch(/permission denied.*privileges/)
    expect(say(withCode("EADDRNOTAVAIL"))).toMatch(/not one of this machine's/)
  })

  it("keeps any other error's own message, and copes with what is not an Error", () => {
    expect(say(withCode("EINVAL", "listen EINVAL: invalid argument"))).toBe(
      "cannot listen on 127.0.0.1:8787: listen EINVAL: invalid argument",
    )
    expect(say(new Error("Address already in use (os error 98)"))).toBe(
      "cannot listen on 127.0.0.1:8787: Address already in use (os error 98)",
    )
    expect(say("plain text")).toBe("cannot listen on 127.0.0.1:8787: plain text")
    expect(say(null)).toBe("cannot listen on 127.0.0.1:8787: null")
  })
})
