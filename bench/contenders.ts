/**
 * The contenders of the validation benchmark, each set to report every
 * issue: our compiled validator (`decodeEvent`), Ajv (draft 2020-12, from the
 * committed JSON Schema), zod 4, valibot 1, and the Effect Schema reference
 * decoder (`decodeWithSchema`).
 *
 * The zod and valibot schemas are written by hand to the same rules, with the
 * very regular expressions of `Field.ts` and `Timestamp.ts`. What none of the
 * third-party contenders checks (JSON Schema cannot say it either): that the
 * timestamp names a real instant, that a date of birth is not in the future.
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { decodeEvent, decodeWithSchema, Field, timestampPattern } from "@cdp/schema"
import Ajv2020Module from "ajv/dist/2020.js"
import addFormatsModule from "ajv-formats"
import * as v from "valibot"
import { z } from "zod"

/**
 * One contender: `check` validates one event and returns how many issues it
 * found (0: valid), so that the benchmark consumes every result.
 */
export interface Contender {
  readonly name: string
  readonly label: string
  readonly check: (input: unknown) => number
}

// --- ours -------------------------------------------------------------------

const ours: Contender = {
  name: "ours",
  label: "@cdp/schema decodeEvent (compiled ahead of time)",
  check: (input) => {
    const r = decodeEvent(input)
    return r.ok ? 0 : r.issues.length
  },
}

// --- Ajv --------------------------------------------------------------------

// Both modules are CommonJS: under NodeNext the class and the plugin are `.default` of the module.
const Ajv2020 = Ajv2020Module.default
const addFormats = addFormatsModule.default

const require = createRequire(import.meta.url)
const jsonSchemaPath = require.resolve("@cdp/schema/json-schema/ootb_user_details_update.schema.json")
const ajv = new Ajv2020({ allErrors: true, strict: false })
addFormats(ajv)
const ajvValidate = ajv.compile(JSON.parse(readFileSync(jsonSchemaPath, "utf8")))

const ajvContender: Contender = {
  name: "ajv",
  label: "Ajv 2020-12 + ajv-formats (allErrors)",
  check: (input) => (ajvValidate(input) ? 0 : (ajvValidate.errors?.length ?? 1)),
}

// --- zod 4 ------------------------------------------------------------------

const { formats, isDateString, MAX_STRING_LENGTH: max } = Field

const zText = z.string().max(max)
const zYesNo = z.enum(["Yes", "No"])
const zDate = z.string().max(max).regex(formats.pastDate.pattern).refine(isDateString)

const zodSchema = z.strictObject({
  tenant: z.number().int().positive(),
  timestamp: z.string().regex(timestampPattern),
  event: z.literal("ootb_user_details_update"),
  customer: z.string().min(1).max(max),
  visitor: z.string().min(1).max(max).optional(),
  context: z
    .strictObject({
      ootb_email: z.string().max(max).regex(formats.email.pattern).optional(),
      ootb_mobile_number: z.string().max(max).regex(formats.e164.pattern).optional(),
      ootb_status: z.enum(["Started", "Completed", "Failed"]).optional(),
      ootb_registration_source: zText.optional(),
      ootb_date_of_birth: zDate.optional(),
      ootb_allow_email: zYesNo.optional(),
      ootb_allow_sms: zYesNo.optional(),
      ootb_allow_push: zYesNo.optional(),
      ootb_allow_whatsapp: zYesNo.optional(),
      ootb_is_email_verified: z.boolean().optional(),
      ootb_is_mobile_verified: z.boolean().optional(),
      ootb_is_blocked: z.boolean().optional(),
      ootb_is_test: z.boolean().optional(),
      ootb_gender: zText.optional(),
      ootb_country: z.string().max(max).regex(formats.country.pattern).optional(),
      ootb_city: zText.optional(),
      ootb_address: zText.optional(),
      ootb_first_name: zText.optional(),
      ootb_last_name: zText.optional(),
      ootb_language: z.string().max(max).regex(formats.language.pattern).optional(),
      ootb_currency: z.string().max(max).regex(formats.currency.pattern).optional(),
      ootb_brand: zText.optional(),
      ootb_alias: zText.optional(),
      ootb_referral_type: zText.optional(),
      ootb_affiliate_id: zText.optional(),
      ootb_platform: zText.optional(),
      ootb_promo_code: zText.optional(),
      ootb_license: zText.optional(),
    })
    .optional(),
})

const zodContender: Contender = {
  name: "zod",
  label: "zod 4 safeParse (strictObject)",
  check: (input) => {
    const r = zodSchema.safeParse(input)
    return r.success ? 0 : r.error.issues.length
  },
}

// --- valibot 1 --------------------------------------------------------------

const vText = v.pipe(v.string(), v.maxLength(max))
const vYesNo = v.picklist(["Yes", "No"])
const vPattern = (re: RegExp) => v.pipe(v.string(), v.maxLength(max), v.regex(re))
const vDate = v.pipe(v.string(), v.maxLength(max), v.regex(formats.pastDate.pattern), v.check(isDateString))
const vId = v.pipe(v.string(), v.minLength(1), v.maxLength(max))

const valibotSchema = v.strictObject({
  tenant: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  timestamp: v.pipe(v.string(), v.regex(timestampPattern)),
  event: v.literal("ootb_user_details_update"),
  customer: vId,
  visitor: v.optional(vId),
  context: v.optional(
    v.strictObject({
      ootb_email: v.optional(vPattern(formats.email.pattern)),
      ootb_mobile_number: v.optional(vPattern(formats.e164.pattern)),
      ootb_status: v.optional(v.picklist(["Started", "Completed", "Failed"])),
      ootb_registration_source: v.optional(vText),
      ootb_date_of_birth: v.optional(vDate),
      ootb_allow_email: v.optional(vYesNo),
      ootb_allow_sms: v.optional(vYesNo),
      ootb_allow_push: v.optional(vYesNo),
      ootb_allow_whatsapp: v.optional(vYesNo),
      ootb_is_email_verified: v.optional(v.boolean()),
      ootb_is_mobile_verified: v.optional(v.boolean()),
      ootb_is_blocked: v.optional(v.boolean()),
      ootb_is_test: v.optional(v.boolean()),
      ootb_gender: v.optional(vText),
      ootb_country: v.optional(vPattern(formats.country.pattern)),
      ootb_city: v.optional(vText),
      ootb_address: v.optional(vText),
      ootb_first_name: v.optional(vText),
      ootb_last_name: v.optional(vText),
      ootb_language: v.optional(vPattern(formats.language.pattern)),
      ootb_currency: v.optional(vPattern(formats.currency.pattern)),
      ootb_brand: v.optional(vText),
      ootb_alias: v.optional(vText),
      ootb_referral_type: v.optional(vText),
      ootb_affiliate_id: v.optional(vText),
      ootb_platform: v.optional(vText),
      ootb_promo_code: v.optional(vText),
      ootb_license: v.optional(vText),
    }),
  ),
})

const valibotConfig = { abortEarly: false, abortPipeEarly: false } as const

const valibotContender: Contender = {
  name: "valibot",
  label: "valibot 1 safeParse (strictObject, abortEarly false)",
  check: (input) => {
    const r = v.safeParse(valibotSchema, input, valibotConfig)
    return r.success ? 0 : r.issues.length
  },
}

// --- Effect Schema (reference) ----------------------------------------------

const effectContender: Contender = {
  name: "effect",
  label: "Effect Schema decodeWithSchema (reference, errors: all)",
  check: (input) => {
    const r = decodeWithSchema(input)
    return r.ok ? 0 : r.issues.length
  },
}

/** Every contender, ours first; the reference last. */
export const contenders: ReadonlyArray<Contender> = [
  ours,
  ajvContender,
  zodContender,
  valibotContender,
  effectContender,
]
