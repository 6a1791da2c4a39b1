// Role assignments of the app's managed identity and (optionally) the deploying user: each on the narrowest scope
// that does the job. Which roles, and why, is in docs/deploy.md ("Who may do what");
// tests/DeadlineAlerts.Functions.Tests/TemplateTests.cs checks the compiled list (principal, role, scope).
//
// App identity:
//   host account  Storage Blob Data Owner          the Functions host: timer schedule monitor and singleton locks,
//                                                   host id and key store (it creates its own containers), and
//                                                   the Flex Consumption deployment package (read and written
//                                                   with this identity); the tz data container
//   host account  Storage Table Data Contributor   the host's diagnostic events (the "host only, with diagnostic
//                                                   events" row of the Functions docs); no app data lives there
//   data account  Storage Table Data Contributor   the app's tables
//   data account  Storage Queue Data Contributor   the alert queue: created at start, sent by the tick, read by the
//                                                   DeliverAlerts trigger and the scale controller, poison moves
//   no blob role on the data account.
// Deploying user (principalId): the data account's tables and queues (dla import), Blob Data Contributor on the tz
// data container only (to upload a .nzd file), Key Vault Secrets Officer (rotation). Nothing on host state or the
// deployment package: azd deploys through the app's publish endpoint with an ARM token, and the platform writes the
// package with the app's identity.

@description('Name of the app\'s user-assigned managed identity.')
param appIdentityName string

@description('Object id of the deploying user or CI principal; empty to skip their data-plane roles.')
param userPrincipalId string

@description('Principal type of userPrincipalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param userPrincipalType string

@description('Host storage account: AzureWebJobsStorage, the deployment package, the tz data container.')
param hostStorageAccountName string

@description('Blob container of the host account that holds the optional tz data file.')
param timeZoneDataContainerName string

@description('Data storage account: the app\'s tables and queues.')
param dataStorageAccountName string

@description('Application Insights component name.')
param applicationInsightsName string

@description('Key Vault name.')
param keyVaultName string

@description('Communication Services resource name.')
param communicationServiceName string

// Built-in role definition ids (identical in every tenant).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  // "Communication and Email Service Owner": the built-in role documented for sending email
  // with Entra ID (there is no narrower send-only built-in role). Scoped to the ACS resource only.
  communicationAndEmailServiceOwner: '09976791-48a7-449e-bb21-39d1a415f350'
}

var hasUser = !empty(userPrincipalId)

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: appIdentityName
}

var appPrincipalId = appIdentity.properties.principalId

resource hostStorage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: hostStorageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource timeZoneData 'containers' existing = {
      name: timeZoneDataContainerName
    }
  }
}

resource dataStorage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: dataStorageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: communicationServiceName
}

// --- The app's identity ---------------------------------------------------------------------------------------

resource appHostBlob 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostStorage.id, appIdentity.id, roles.storageBlobDataOwner)
  scope: hostStorage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
  }
}

resource appHostTable 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hostStorage.id, appIdentity.id, roles.storageTableDataContributor)
  scope: hostStorage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

resource appDataTable 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage.id, appIdentity.id, roles.storageTableDataContributor)
  scope: dataStorage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

resource appDataQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage.id, appIdentity.id, roles.storageQueueDataContributor)
  scope: dataStorage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}

resource appMetrics 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, appIdentity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

resource appSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource appEmail 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communicationService.id, appIdentity.id, roles.communicationAndEmailServiceOwner)
  scope: communicationService
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.communicationAndEmailServiceOwner)
  }
}

// --- The deploying user (optional) ----------------------------------------------------------------------------

resource userDataTable 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (hasUser) {
  name: guid(dataStorage.id, userPrincipalId, roles.storageTableDataContributor)
  scope: dataStorage
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

resource userDataQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (hasUser) {
  name: guid(dataStorage.id, userPrincipalId, roles.storageQueueDataContributor)
  scope: dataStorage
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}

// Upload a NodaTime .nzd file (docs/deploy.md, "Time zone data"); nothing else of the host account.
resource userTimeZoneData 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (hasUser) {
  name: guid(hostStorage::blobService::timeZoneData.id, userPrincipalId, roles.storageBlobDataContributor)
  scope: hostStorage::blobService::timeZoneData
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

// Lets the deploying user read and rotate the app secrets (docs/deploy.md, "Rotate keys").
resource userSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (hasUser) {
  name: guid(vault.id, userPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
  }
}
