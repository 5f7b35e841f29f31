// The profile operations of the protocol (README "Profile operations") for the JavaScript
// adapters: `profile_sign`, `profile_verify`, `profile_sign_response`, `profile_verify_response`,
// `webhook_sign`, `webhook_verify` over the package's
// `profiles` export (the Node SDK's `require('sigwire').profiles`). A package without `profiles`
// (the WASM SDK until it has them) answers `unsupported`: the runner reports those operations as
// not checked, never as passing. Argument conversion only; browser-safe (no Buffer).

/** The operations this module answers. */
export const PROFILE_OPS = new Set([
  'profile_sign', 'profile_verify', 'profile_sign_response', 'profile_verify_response', 'webhook_sign', 'webhook_verify',
]);

/**
 * @param {any} sigwire the SDK module
 * @param {{secret: (hex: string, Err?: any) => Uint8Array, body: (b64: string) => Uint8Array}} conv
 * @returns {(op: object) => object} the success fields of one profile operation (throws on error)
 */
export function makeProfileAnswer(sigwire, conv) {
  const P = sigwire.profiles;
  if (!P) {
    return () => ({ unsupported: 'this package has no profiles API (sigwire.profiles)' });
  }
  const hex = (text) => conv.secret(text, P.InvalidCredentialsError);
  const request = (op) => ({ method: op.method, url: op.url, headers: op.headers, body: conv.body(op.body_b64) });
  const signed = (r) => ({ url: r.url, headers: r.headerList.map(([n, v]) => [n, v]) });
  const nul = (v) => (v === null ? undefined : v);

  function profileSign(op) {
    const c = op.credentials;
    const s = op.settings || {};
    const t = op.time;
    switch (op.profile) {
      case 'aws-sigv4': {
        const signer = new P.AwsSigV4({
          accessKeyId: c.access_key_id,
          secretAccessKey: c.secret_access_key,
          region: s.region,
          service: s.service,
          sessionToken: nul(c.session_token),
          s3: Boolean(s.s3),
        });
        if (s.presign_expires !== undefined && s.presign_expires !== null) {
          const url = signer.presign({ method: op.method, url: op.url, headers: op.headers, timestamp: t, expiresIn: s.presign_expires });
          return { url, headers: op.headers.map(([n, v]) => [n, v]) };
        }
        return signed(signer.sign({ ...request(op), timestamp: t, unsignedPayload: Boolean(s.unsigned_payload) }));
      }
      case 'rfc9421':
        return signed(rfc9421(op).sign({ ...request(op), created: t, nonce: nul(op.nonce) }));
      case 'binance':
        return signed(new P.Binance(c.api_key, c.secret).sign({ ...request(op), timestampMs: t }));
      case 'coinbase':
        return signed(new P.Coinbase(c.api_key, c.secret, nul(c.passphrase)).sign({ ...request(op), timestampMs: t }));
      case 'kraken':
        return signed(new P.Kraken(c.api_key, c.secret).sign({ ...request(op), timestampMs: t }));
      case 'okx':
        return signed(new P.Okx(c.api_key, c.secret, nul(c.passphrase)).sign({ ...request(op), timestampMs: t }));
      case 'bybit':
        return signed(new P.Bybit(c.api_key, c.secret).sign({ ...request(op), timestampMs: t }));
      default:
        throw new P.InvalidSettingsError(`unknown profile ${JSON.stringify(op.profile)}`);
    }
  }

  function profileVerify(op) {
    const s = op.settings || {};
    if (op.profile === 'aws-sigv4') {
      const credentials = {};
      for (const k of op.keys) credentials[k.key_id] = k.secret;
      const v = new P.AwsSigV4Verifier({ region: s.region, service: s.service, credentials, s3: Boolean(s.s3), maxClockSkew: nul(s.max_clock_skew) });
      return { ok: true, key_id: v.verify({ ...request(op), now: op.now }).accessKeyId };
    }
    if (op.profile === 'rfc9421') {
      return { ok: true, key_id: rfc9421Verifier(op).verify({ ...request(op), now: op.now }).keyId };
    }
    throw new P.InvalidSettingsError(`no verifier for profile ${JSON.stringify(op.profile)}`);
  }

  function rfc9421(op) {
    const c = op.credentials;
    const s = op.settings || {};
    return new P.Rfc9421(c.key_id, hex(c.secret_hex), { label: nul(s.label), components: nul(s.components) });
  }

  function rfc9421Verifier(op) {
    const s = op.settings || {};
    const keys = {};
    for (const k of op.keys) keys[k.key_id] = hex(k.secret);
    return new P.Rfc9421Verifier(keys, {
      label: nul(s.label),
      requiredComponents: nul(s.required_components),
      maxAge: nul(s.max_age),
      maxAhead: nul(s.max_ahead),
    });
  }

  function response(op) {
    if (op.profile !== 'rfc9421') throw new P.InvalidSettingsError(`no response signing for profile ${JSON.stringify(op.profile)}`);
    return { status: op.status, headers: op.headers, body: conv.body(op.body_b64) };
  }

  function profileSignResponse(op) {
    const signer = op.profile === 'rfc9421' ? rfc9421(op) : null;
    const r = response(op); // another profile: invalid_settings (after the signer, as in Rust)
    return { headers: signer.signResponse({ ...r, created: op.time, nonce: nul(op.nonce) }).headerList.map(([n, v]) => [n, v]) };
  }

  function profileVerifyResponse(op) {
    const verifier = op.profile === 'rfc9421' ? rfc9421Verifier(op) : null;
    const r = response(op);
    return { ok: true, key_id: verifier.verifyResponse({ ...r, now: op.now }).keyId };
  }

  function webhookSign(op) {
    const out = P.signWebhook(op.provider, op.secrets, conv.body(op.body_b64), { timestamp: op.timestamp, id: nul(op.msg_id) });
    return { headers: Object.entries(out).map(([n, v]) => [n, v]) };
  }

  function webhookVerify(op) {
    const v = P.verifyWebhook(op.provider, op.secrets, op.headers, conv.body(op.body_b64), { now: op.now, tolerance: op.tolerance });
    return { ok: true, timestamp: v.timestamp, msg_id: v.id, secret_index: v.secretIndex };
  }

  const ops = {
    profile_sign: profileSign,
    profile_verify: profileVerify,
    profile_sign_response: profileSignResponse,
    profile_verify_response: profileVerifyResponse,
    webhook_sign: webhookSign,
    webhook_verify: webhookVerify,
  };
  return (op) => ops[op.op](op);
}
