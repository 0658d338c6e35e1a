/**
 * Azure built-in role definitions the infra may assign, name → id.
 * Source: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
 * (ids are the same in every tenant). Cross-checked against Microsoft's own
 * templates: the Azure Functions azd quickstarts (storage and monitoring roles),
 * Azure Verified Modules (Contributor/Reader), ACS guidance for the
 * Communication role, and the Web PubSub docs ("Use Azure Identity") with the
 * role's definition (dataActions Microsoft.SignalRService/WebPubSub/*) for the
 * Web PubSub role, and the Azure AI Content Safety overview ("Use Microsoft Entra ID or
 * Managed Identity to manage access") for the Cognitive Services role. Add a role here
 * only with its documented id.
 */
export interface BuiltInRole {
  name: string;
  id: string;
  /** Broad management roles: allowed by the table, flagged as not least-privilege when assigned. */
  broad?: true;
}

export const BUILT_IN_ROLES: readonly BuiltInRole[] = [
  { name: 'Storage Blob Data Owner', id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' },
  { name: 'Storage Blob Data Contributor', id: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' },
  // One action, Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action, and no data actions
  // (Learn, "Azure built-in roles for Storage", Storage Blob Delegator).
  { name: 'Storage Blob Delegator', id: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a' },
  { name: 'Storage Queue Data Contributor', id: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' },
  { name: 'Storage Table Data Contributor', id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' },
  { name: 'Storage Table Data Reader', id: '76199698-9eea-4c19-bc75-cec21354c6b6' },
  { name: 'Monitoring Metrics Publisher', id: '3913510d-42f4-4e42-8a64-420c390055eb' },
  { name: 'Communication and Email Service Owner', id: '09976791-48a7-449e-bb21-39d1a415f350' },
  // Data actions Microsoft.SignalRService/WebPubSub/* only (send, connections, groups, :generateToken).
  { name: 'Web PubSub Service Owner', id: '12cf5a90-567b-43ae-8102-96cf46c7d9b4' },
  // Data actions Microsoft.CognitiveServices/* (Content Safety's text analysis and blocklists among them); actions
  // Microsoft.CognitiveServices/*/read and accounts/listkeys/action (Learn, "Azure built-in roles for AI + machine
  // learning", Cognitive Services User).
  { name: 'Cognitive Services User', id: 'a97b65f3-24c7-4388-baec-2e87135dc908' },
  { name: 'Reader', id: 'acdd72a7-3385-48ef-bd42-f606fba81ae7', broad: true },
  { name: 'Contributor', id: 'b24988ac-6180-42a0-ab88-20f7382dd24c', broad: true },
  { name: 'Owner', id: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', broad: true },
];

export function builtInRoleById(id: string): BuiltInRole | undefined {
  return BUILT_IN_ROLES.find((role) => role.id === id.toLowerCase());
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
