// Storage for the Functions host (blobs: leases, timer schedules, the Flex
// deployment package), for the app's records (Tables) and for chat attachments
// (a private blob container that browsers reach only with short-lived links).
// Shared keys are disabled: every caller signs in with Entra ID, and the only SAS
// the account accepts is a user delegation SAS, signed with a key the app gets for
// its own identity (an account-key SAS is refused along with every other
// Shared Key request).

@description('Name of the storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the storage account.')
param location string = resourceGroup().location

@description('Tags applied to the storage account.')
param tags object = {}

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Private blob container for the files attached to chat messages (the app setting ATTACHMENTS_CONTAINER).')
@minLength(3)
@maxLength(63)
param attachmentsContainerName string = 'attachments'

@description('Browser origins that may upload attachments (PUT, with an upload link) and read them (GET, HEAD): the API\'s CORS origins. Empty: no CORS rule on the Blob service.')
param attachmentsCorsOrigins array = []

// What the Blob service's CORS rule allows those origins, beyond the origins themselves. A JSON file so that the dev
// stack can give Azurite's Blob service the same rule as Azure's; docs/deploy.md says why each entry is there.
var attachmentsCors = loadJsonContent('./attachments-cors.json')
var attachmentsCorsRules = empty(attachmentsCorsOrigins) ? [] : [
  {
    allowedOrigins: attachmentsCorsOrigins
    allowedMethods: attachmentsCors.allowedMethods
    allowedHeaders: attachmentsCors.allowedHeaders
    exposedHeaders: attachmentsCors.exposedHeaders
    maxAgeInSeconds: attachmentsCors.maxAgeInSeconds
  }
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    dnsEndpointType: 'Standard'
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    supportsHttpsTrafficOnly: true
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }

  resource blobServices 'blobServices' = {
    name: 'default'
    properties: {
      // Browsers upload attachments straight to Blob Storage, and may read them back, with a user delegation SAS from
      // the app; the SAS decides what a request may do, CORS only which web pages may send it. No origins, no rule.
      cors: {
        corsRules: attachmentsCorsRules
      }
    }

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }

    // Blobs named <thread hash>/<attachment id>; nothing in it is ever public (allowBlobPublicAccess is off as well).
    resource attachmentsContainer 'containers' = {
      name: attachmentsContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }

  // A backstop for uploads no message claimed: the app deletes them itself after an hour; this deletes any it missed
  // once it is more than a day old (policy runs are periodic, roughly daily, and slower on a busy account, so such a
  // blob may live a day or two). Only blobs tagged claimed=false in the attachments container match: never a claimed
  // attachment, never another container's blob. Lifecycle deletes are free of charge.
  resource lifecyclePolicy 'managementPolicies' = {
    name: 'default'
    properties: {
      policy: {
        rules: [
          {
            // Rule names: letters and digits only.
            name: 'deleteUnclaimedAttachments'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
                prefixMatch: [
                  '${attachmentsContainerName}/'
                ]
                // A lifecycle rule cannot see whether a message claimed a blob, so the upload carries the blob index
                // tag claimed=false (x-ms-tags, among the headers the app hands out with the upload link) and the app
                // sets it to true when a message claims the blob. Lifecycle rules match tags with == only.
                blobIndexMatch: [
                  {
                    name: 'claimed'
                    op: '=='
                    value: 'false'
                  }
                ]
              }
              actions: {
                baseBlob: {
                  delete: {
                    daysAfterCreationGreaterThan: 1
                  }
                }
              }
            }
          }
        ]
      }
    }
  }

  // The app creates its own tables (TABLE_NAME_PREFIX) on first use.
  resource tableServices 'tableServices' = {
    name: 'default'
  }
}

output name string = storage.name
output resourceId string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output attachmentsContainerName string = storage::blobServices::attachmentsContainer.name
output tableEndpoint string = storage.properties.primaryEndpoints.table
