import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface User {
    username?: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    /** When the person signed in (ms); sessions from before a password reset are refused. */
    authAt?: number;
  }
}
