import type { ChatClient } from '../../client';

/**
 * Whether the signed-in user may moderate, asked of the API itself: one small read of the open reports, where a 403
 * (AdminRoleRequired) means no. Reading the token's roles claim instead would mean the page knowing the backend's
 * AUTH_ADMIN_ROLE and AUTH_ROLES_CLAIM settings (and a real identity provider's token format); the probe can never
 * disagree with what the moderation routes will allow. It costs one request when the chat opens.
 */
export async function canModerate(client: ChatClient): Promise<boolean> {
  try {
    const { response } = await client.api.GET('/moderation/reports', { params: { query: { maxPageSize: 1 } } });
    return response.ok;
  } catch {
    return false; // Unreachable API: the chat says so on its own; no link is the safe answer.
  }
}
