-- Nonces are purged by their request's own timestamp (issue 10, finding 6).
CREATE INDEX "OAuthNonce_timestamp_idx" ON "OAuthNonce"("timestamp");
