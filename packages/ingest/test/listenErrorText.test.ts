import { describe, expect, it } from "vitest"
import { listenErrorText } from "../src/settings.ts"

const withCode = (code: string, message = `listen ${code}: something 0.0.0.0:80`) =>
  Object.assign(new Error(message), { code })

describe("listenErrorText", () => {
  it("words the errors an operator can act on by their code", () => {
    expect(listenErrorText(withCode("EADDRINUSE"))).toMatch(/already in use/)
    expect(listenErrorText(withCode("EACCES"))).toMatch(/permission denied.*privileges/)
    expect(listenErrorText(withCode("EADDRNOTAVAIL"))).toMatch(/not one of this machine's/)
  })

  it("keeps any other error's own message, and copes with what is not an Error", () => {
    expect(listenErrorText(withCode("EINVAL", "listen EINVAL: invalid argument"))).toBe(
      "listen EINVAL: invalid argument",
    )
    expect(listenErrorText(new Error("Address already in use (os error 98)"))).toBe(
      "Address already in use (os error 98)",
    )
    expect(listenErrorText("plain text")).toBe("plain text")
    expect(listenErrorText(null)).toBe("null")
  })
})
