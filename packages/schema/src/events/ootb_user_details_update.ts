/**
 * `ootb_user_details_update`: sent when a user changes profile or
 * registration details. Records the activity and overwrites the customer's
 * profile attributes with every value it carries.
 *
 * @module
 */
import { defineEvent } from "../EventDefinition.ts"
import { channel, consent, enrichment, flag, formats, formatted, oneOf, optional, text } from "../Field.ts"

/**
 * The definition of `ootb_user_details_update`.
 *
 * @since 0.1.0
 * @category events
 */
export const OotbUserDetailsUpdate = defineEvent({
  key: "ootb_user_details_update",
  title: "User Details Update",
  description:
    "Sent when a user updates their profile or registration details (e.g. email, preferences, personal info). It records the activity and overwrites the customer's profile attributes in real time with every value it carries: a key that is absent leaves the attribute alone, a key that is present (an empty string included) replaces it.",
  fields: {
    ootb_email: formatted(formats.email, {
      description: "The customer's email address.",
      example: "john.doe@example.com",
      classification: channel("email"),
    }),
    ootb_mobile_number: formatted(formats.e164, {
      description: "The customer's mobile phone number.",
      example: "+1234567890",
      classification: channel("sms", "whatsapp"),
    }),
    ootb_status: oneOf(["Started", "Completed", "Failed"], {
      description: "Registration status: Started, Completed, or Failed.",
      example: "Completed",
      classification: optional,
    }),
    ootb_registration_source: text({
      description: "Where registration was initiated (e.g. product page, checkout, header).",
      example: "product page",
      classification: optional,
    }),
    ootb_date_of_birth: formatted(formats.pastDate, {
      description: "The customer's date of birth in ISO format (YYYY-MM-DD).",
      example: "1990-01-15",
      classification: enrichment,
    }),
    ootb_allow_email: consent({
      description: "Consent to email notifications (Yes/No).",
      example: "Yes",
      classification: channel("email"),
    }),
    ootb_allow_sms: consent({
      description: "Consent to SMS notifications (Yes/No).",
      example: "Yes",
      classification: channel("sms"),
    }),
    ootb_allow_push: consent({
      description: "Consent to push notifications (Yes/No).",
      example: "Yes",
      classification: channel("push"),
    }),
    ootb_allow_whatsapp: consent({
      description: "Consent to WhatsApp notifications (Yes/No).",
      example: "Yes",
      classification: channel("whatsapp"),
    }),
    ootb_is_email_verified: flag({
      description: "Whether the email address is verified.",
      example: true,
      classification: enrichment,
    }),
    ootb_is_mobile_verified: flag({
      description: "Whether the mobile number is verified.",
      example: true,
      classification: enrichment,
    }),
    ootb_is_blocked: flag({ description: "Customer blocked status.", example: false, classification: enrichment }),
    ootb_is_test: flag({ description: "Test account flag.", example: false, classification: enrichment }),
    ootb_gender: text({
      description: "Customer gender (e.g. male, female, other).",
      example: "male",
      classification: enrichment,
    }),
    ootb_country: formatted(formats.country, {
      description: "Country code (e.g. US, UK).",
      example: "US",
      classification: enrichment,
    }),
    ootb_city: text({ description: "Customer's city.", example: "NYC", classification: enrichment }),
    ootb_address: text({ description: "Customer's address.", example: "Street 1111", classification: enrichment }),
    ootb_first_name: text({ description: "Customer's first name.", example: "John", classification: enrichment }),
    ootb_last_name: text({ description: "Customer's last name.", example: "Doe", classification: enrichment }),
    ootb_language: formatted(formats.language, {
      description: "Customer's language preference (e.g. en, fr, en-US).",
      example: "en",
      classification: enrichment,
    }),
    ootb_currency: formatted(formats.currency, {
      description: "Customer's preferred currency code.",
      example: "USD",
      classification: enrichment,
    }),
    ootb_brand: text({
      description: "Brand identifier (optional, for gaming platforms).",
      example: "",
      classification: enrichment,
    }),
    ootb_alias: text({ description: "Gaming alias or username.", example: "johndoe90", classification: enrichment }),
    ootb_referral_type: text({
      description: "How the user was referred (e.g. SEO, Affiliate, Advertising).",
      example: "Advertising",
      classification: enrichment,
    }),
    ootb_affiliate_id: text({ description: "Affiliate identifier or name.", example: "", classification: optional }),
    ootb_platform: text({
      description: "Platform used during registration (e.g. iOS, Android, Web).",
      example: "iOS",
      classification: enrichment,
    }),
    ootb_promo_code: text({
      description: "Promotional code applied during registration.",
      example: "WELCOME2024",
      classification: optional,
    }),
    ootb_license: text({
      description: "License or regulation identifier.",
      example: "licenseXYZ",
      classification: optional,
    }),
  },
})

/** A decoded `ootb_user_details_update`. @since 0.1.0 @category models */
export type OotbUserDetailsUpdate = typeof OotbUserDetailsUpdate.schema.Type
