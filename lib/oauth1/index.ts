/** OAuth 1.0a (RFC 5849), framework-free: signing for consumers, verification for providers. */
export * from "./problems";
export * from "./encoding";
export * from "./parameters";
export * from "./base-string";
export * from "./signature";
export * from "./sign-request";
export * from "./verify-request";
