import { decodeJwt, decodeProtectedHeader } from 'jose';

/**
 * Microsoft Entra bearer tokens as the emulators accept them. Like Azurite, an emulator cannot check an Entra
 * signature (it has no tenant): it takes any well-formed JWT (three parts, a header whose `alg` is not `none`) whose
 * `aud` is one of `audiences` (with or without a trailing `/`) and whose `exp` (required) and `nbf` hold, with
 * Entra's default clock skew of 5 minutes. Roles are not checked.
 */

const SKEW_SECONDS = 300;

export function entraTokenAccepted(token: string, audiences: readonly string[], nowMs: number): boolean {
  try {
    const header = decodeProtectedHeader(token);
    if (typeof header.alg !== 'string' || header.alg === 'none') return false;
    const claims = decodeJwt(token);
    const given = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const trim = (aud: string): string => aud.replace(/\/+$/, '');
    const wanted = new Set(audiences.map(trim));
    if (!given.some((aud) => typeof aud === 'string' && wanted.has(trim(aud)))) return false;
    const now = nowMs / 1000;
    if (typeof claims.exp !== 'number' || claims.exp + SKEW_SECONDS <= now) return false;
    return claims.nbf === undefined || claims.nbf - SKEW_SECONDS <= now;
  } catch {
    return false;
  }
}
