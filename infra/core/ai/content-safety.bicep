// Azure AI Content Safety: the backend checks message text and thread topics with it (text analysis by harm category
// and severity, and custom blocklists), on send and edit and after the fact for messages sent straight to ACS.
// Keyless: local (key) authentication is disabled, so the account accepts only Entra ID tokens (the app's managed
// identity, Cognitive Services User in app/rbac.bicep), never its keys (Ocp-Apim-Subscription-Key). Entra ID needs a
// custom subdomain, which also gives the account its own endpoint, https://<subdomain>.cognitiveservices.azure.com/.

// The name is also the custom subdomain, whose rules Learn gives ("Custom subdomain names"): letters, digits and
// hyphens, 2 to 64 characters, not ending with a hyphen; unique across Azure; fixed once the account exists.
@description('Name of the Content Safety account and its custom subdomain (2-64 letters, digits and hyphens, not ending with a hyphen).')
@minLength(2)
@maxLength(64)
param name string

@description('Azure region of the account: one that offers Content Safety text analysis and blocklists (docs/deploy.md lists them).')
param location string = resourceGroup().location

@description('Tags applied to the resource.')
param tags object = {}

// S0 is billed per 1,000 text records (a text record is up to 1,000 characters), with no monthly charge, and takes
// 1,000 text analysis requests per 10 seconds. F0 is free: a limited number of text records a month, then throttled,
// no overage; 5 requests a second; a subscription may hold only one F0 account of a kind (ContentSafety). Prices,
// limits and sources: docs/deploy.md.
@description('SKU of the Content Safety account: S0 (pay per text record) or F0 (free, monthly limit, one per subscription).')
@allowed([
  'F0'
  'S0'
])
param skuName string = 'S0'

resource contentSafety 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'ContentSafety'
  sku: {
    name: skuName
  }
  properties: {
    // No keys: the account accepts Entra ID tokens only.
    disableLocalAuth: true
    // Required for Entra ID authentication (Learn, "Custom subdomain names"); cannot be changed once set.
    customSubDomainName: name
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
    }
  }
}

output name string = contentSafety.name
output resourceId string = contentSafety.id
// https://<subdomain>.cognitiveservices.azure.com/: the app setting CONTENT_SAFETY_ENDPOINT.
output endpoint string = contentSafety.properties.endpoint
