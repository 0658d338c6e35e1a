// Email for the chat backend's away notifications: an Email Communication Service holding an Azure-managed domain and
// its DoNotReply sender, and optionally your own (CustomerManaged) domain. The ACS resource links the domain that mail
// goes out from (communication-service.bicep, linkedDomains), so the app sends through the ACS endpoint it already
// uses (ACS_ENDPOINT) with its managed identity: nothing here has, reads or outputs a key.
//
// API version 2025-09-01, as for the ACS resource: the newest stable version of Microsoft.Communication in
// Azure/azure-rest-api-specs (specification/communication/resource-manager/Microsoft.Communication/Communication/
// stable/2025-09-01/openapi.json), which defines emailServices, emailServices/domains (domainManagement,
// userEngagementTracking, the read-only mailFromSenderDomain and verificationRecords) and
// emailServices/domains/senderUsernames (username, displayName). docs/deploy.md ("Email notifications") has the rest.

@description('Name of the Email Communication Service resource (1-63 letters, digits and hyphens).')
@minLength(1)
@maxLength(63)
param name string

// Learn ("Connect a verified email domain"): only domains in the same geography as the ACS resource can be linked, so
// main.bicep passes the ACS resource's own dataLocation (ACS_DATA_LOCATION). Fixed once the resource exists.
@description('Where the email service keeps data at rest: the ACS resource\'s dataLocation, e.g. "United States".')
@minLength(1)
param dataLocation string

@description('Display name of the DoNotReply sender of the Azure-managed domain, shown to recipients next to the address.')
@minLength(1)
param senderDisplayName string = 'DoNotReply'

@description('A domain you own to send from instead (e.g. notify.example.com); empty deploys only the Azure-managed domain. See docs/deploy.md, "Moving to your own domain".')
param customDomainName string = ''

// Learn ("Connect a verified email domain"): a domain must be fully verified before it is linked to the ACS resource.
// So the custom domain is created first (customDomainName), its DNS records are published and verified, and only then
// does this switch link it and send from it.
@description('Link customDomainName to the ACS resource and send from it; set only once its DNS records are verified.')
param useCustomDomain bool = false

@description('Tags applied to the resources.')
param tags object = {}

// Every domain comes with this sender (Learn, "Add multiple sender addresses": the default MailFrom is donotreply@…).
var senderUsername = 'DoNotReply'
var hasCustomDomain = !empty(customDomainName)
var sendFromCustomDomain = hasCustomDomain && useCustomDomain

resource emailService 'Microsoft.Communication/emailServices@2025-09-01' = {
  name: name
  // Like Communication Services, a global resource; dataLocation decides residency.
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }

  // Azure-managed: a <guid>.azurecomm.net subdomain, verified and authenticated (SPF, DKIM) by Azure, usable at once;
  // its sending quota is the smallest and cannot be raised (docs/deploy.md, "The quota").
  resource managedDomain 'domains' = {
    name: 'AzureManagedDomain'
    location: 'global'
    tags: tags
    properties: {
      domainManagement: 'AzureManaged'
      // No open and click tracking: it would rewrite the links in every email (the unsubscribe link among them) and
      // report who reads them; Learn also says an Azure-managed domain cannot have it enabled.
      userEngagementTracking: 'Disabled'
    }

    // The domain's default sender, declared so that its display name is set here. Learn says further sender usernames
    // cannot be added to an Azure-managed domain; this is the one it already has.
    resource sender 'senderUsernames' = {
      name: toLower(senderUsername)
      properties: {
        username: senderUsername
        displayName: senderDisplayName
      }
    }
  }

  // Your own domain: created unverified; Azure lists the DNS records it needs in properties.verificationRecords (output
  // below). It keeps its default DoNotReply sender.
  resource customDomain 'domains' = if (hasCustomDomain) {
    // A placeholder name when there is none: ARM validates the names of resources whose condition is false as well.
    name: hasCustomDomain ? customDomainName : 'unused.invalid'
    location: 'global'
    tags: tags
    properties: {
      domainManagement: 'CustomerManaged'
      userEngagementTracking: 'Disabled'
    }
  }
}

output name string = emailService.name
// The domains the ACS resource links: always the Azure-managed one (linked domains can be used side by side), and your
// own once useCustomDomain is on.
output linkedDomainIds array = sendFromCustomDomain
  ? [
      emailService::managedDomain.id
      emailService::customDomain.id
    ]
  : [
      emailService::managedDomain.id
    ]
// EMAIL_SENDER: DoNotReply@<the sending domain's mailFromSenderDomain>, the MailFrom address ACS accepts as sender.
output senderAddress string = sendFromCustomDomain
  ? '${senderUsername}@${emailService::customDomain.properties.mailFromSenderDomain}'
  : '${emailService::managedDomain::sender.properties.username}@${emailService::managedDomain.properties.mailFromSenderDomain}'
// The DNS records (Domain, SPF, DKIM, DKIM2, DMARC: type, name, value, ttl) your domain needs; public values, not keys.
output customDomainVerificationRecords object = hasCustomDomain
  ? emailService::customDomain.properties.verificationRecords
  : {}
