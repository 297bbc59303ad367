/**
 * The seed document's example of `ootb_user_details_update`, all 28
 * parameters, as the benchmarks and tests send it. The seed's copy of the
 * e-mail address is mangled by an e-mail obfuscator, so a real address
 * stands in; its status reads "Started" / "Completed", so one is taken.
 * (The contract package's own tests keep a copy of their own: they check
 * the definition against the seed.)
 *
 * @module
 */

/** @since 0.2.0 @category fixtures */
export const seedContext = {
  ootb_email: "john.doe@example.com",
  ootb_mobile_number: "+1234567890",
  ootb_status: "Completed",
  ootb_registration_source: "product page",
  ootb_date_of_birth: "1990-01-15",
  ootb_allow_email: "Yes",
  ootb_allow_sms: "Yes",
  ootb_allow_push: "Yes",
  ootb_allow_whatsapp: "Yes",
  ootb_is_email_verified: true,
  ootb_is_mobile_verified: true,
  ootb_is_blocked: false,
  ootb_is_test: false,
  ootb_gender: "male",
  ootb_country: "US",
  ootb_city: "NYC",
  ootb_address: "Street 1111",
  ootb_first_name: "John",
  ootb_last_name: "Doe",
  ootb_language: "en",
  ootb_currency: "USD",
  ootb_brand: "",
  ootb_alias: "johndoe90",
  ootb_referral_type: "Advertising",
  ootb_affiliate_id: "",
  ootb_platform: "iOS",
  ootb_promo_code: "WELCOME2024",
  ootb_license: "licenseXYZ",
} as const
