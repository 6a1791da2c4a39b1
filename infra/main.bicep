// DeadlineAlerts: everything `azd up` needs, in one resource group.
// See infra/README.md for the module map and docs/deploy.md for the walkthrough.
targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------
// Parameters (azd fills environmentName, location and principalId; see main.parameters.json)
// ---------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds the resource token.')
param environmentName string

@minLength(1)
@description('Azure region for all regional resources. It must offer the Flex Consumption plan.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the user (or CI principal) running azd. Gets the data account\'s table and queue data roles (dla import), Blob Data Contributor on the tz data container, and Key Vault Secrets Officer (key rotation). Empty: none.')
param principalId string = ''

@description('Principal type of principalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Resource group name. Empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('Flex Consumption: maximum number of instances.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Flex Consumption: instance memory size in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Log Analytics retention in days.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Application Insights accepts only Entra-authenticated telemetry (the app authenticates with its managed identity).')
param appInsightsDisableLocalAuth bool = true

@description('Data location of Communication Services and the Email service (they must match).')
@allowed([
  'Africa'
  'Asia Pacific'
  'Australia'
  'Brazil'
  'Canada'
  'Europe'
  'France'
  'Germany'
  'India'
  'Japan'
  'Korea'
  'Norway'
  'Switzerland'
  'UAE'
  'UK'
  'United States'
])
param communicationDataLocation string = 'United States'

@description('Custom email domain (e.g. alerts.contoso.com) to create as a customer-managed domain. Empty: only the Azure-managed domain.')
param customEmailDomainName string = ''

@description('Which domain the app sends from: "azure" (Azure-managed *.azurecomm.net) or "custom" (customEmailDomainName, only after its DNS records are verified).')
@allowed([
  'azure'
  'custom'
])
param emailSenderDomain string = 'azure'

@description('Key Vault purge protection (on by default). Irreversible: the vault name stays reserved for the retention period after `azd down`; set false only for throwaway environments.')
param keyVaultEnablePurgeProtection bool = true

@description('Key Vault soft-delete retention in days.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@description('"write": store the two secret values below in Key Vault (a new secret version on every provision). "keep": leave the existing secrets untouched (use after the first provision to avoid rotating keys on every azd up).')
@allowed([
  'write'
  'keep'
])
param keyVaultWriteMode string = 'write'

@secure()
@minLength(32)
@description('Unsubscribe- and calendar-link signing key material. Default: a fresh newGuid() on every deployment (see keyVaultWriteMode). Stored base64-encoded, which the app needs (at least 32 bytes).')
param unsubscribeSigningKey string = newGuid()

@description('Base URL of the app as subscribers reach it, for unsubscribe and calendar links. Empty: https://<the site\'s defaultHostName>. Set it for a custom domain or a front door (docs/deploy.md).')
param publicBaseUrl string = ''

@secure()
@minLength(32)
@description('Operator key for the operator endpoints. Default: a fresh newGuid() on every deployment (see keyVaultWriteMode).')
param operatorKey string = newGuid()

@description('Timer schedule of the scan (NCRONTAB with seconds, evaluated in UTC).')
param scanSchedule string = '0 */1 * * * *'

@description('The period of scanSchedule as a TimeSpan (DeadlineAlerts:ScanPeriod; the late rule compares against it). Change both together.')
param scanPeriod string = '00:01:00'

@description('Timer schedule of the digest run (NCRONTAB with seconds, UTC). Digests go out within one period of their local time.')
param digestSchedule string = '0 */15 * * * *'

@description('The period of digestSchedule as a TimeSpan (DeadlineAlerts:DigestPeriod; a digest later than this is marked late). Change both together.')
param digestPeriod string = '00:15:00'

@description('Table/queue name prefix (empty in production): up to 20 letters and digits, starting with a letter. The queue trigger binds <prefix>alerts, lower case.')
@maxLength(20)
param tablePrefix string = ''

@description('Optional: name of a NodaTime .nzd tz data file uploaded to the host account\'s tz data container (docs/deploy.md, "Time zone data"). Empty: the tz data embedded in the app.')
param timeZoneDataBlobName string = ''

@description('Comma-separated host or host:port exempt from the https/public-address rule for webhook delivery (empty in production).')
param deliveryAllowHosts string = ''

@description('Optional: client id of an Entra ID app registration for App Service Authentication (authsettingsV2). Set, operators sign in with Entra ID and the audit log records their name; the operator routes still need a function key. Empty: off.')
param entraAuthClientId string = ''

@description('Tenant of that app registration. Default: the deployment tenant.')
param entraAuthTenantId string = tenant().tenantId

@description('With entraAuthClientId: require sign-in for every path but the public ones (health, unsubscribe, calendar), redirecting browsers to the Entra login page. false: sign-in is optional (visit /.auth/login/aad) and calls with a function key alone keep working.')
param entraAuthRequired bool = false

// ---------------------------------------------------------------------------------------------
// Names and tags
// ---------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var serviceName = 'api'

// Abbreviations follow https://learn.microsoft.com/azure/cloud-adoption-framework/ready/azure-best-practices/resource-abbreviations
var abbrs = {
  resourceGroup: 'rg-'
  managedIdentity: 'id-'
  functionApp: 'func-'
  appServicePlan: 'plan-'
  storageAccount: 'st'
  logAnalytics: 'log-'
  applicationInsights: 'appi-'
  keyVault: 'kv-'
  communicationService: 'acs-'
  emailService: 'ecs-'
}

var names = {
  resourceGroup: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourceGroup}${environmentName}'
  identity: '${abbrs.managedIdentity}${serviceName}-${resourceToken}'
  functionApp: '${abbrs.functionApp}${serviceName}-${resourceToken}'
  plan: '${abbrs.appServicePlan}${resourceToken}'
  // The app's tables and queues (the account `dla import` writes to).
  dataStorage: '${abbrs.storageAccount}${resourceToken}'
  // The Functions host's own account: AzureWebJobsStorage, the deployment package, the tz data container.
  hostStorage: '${abbrs.storageAccount}host${resourceToken}'
  logAnalytics: '${abbrs.logAnalytics}${resourceToken}'
  applicationInsights: '${abbrs.applicationInsights}${resourceToken}'
  keyVault: '${abbrs.keyVault}${resourceToken}'
  communicationService: '${abbrs.communicationService}${resourceToken}'
  emailService: '${abbrs.emailService}${resourceToken}'
  deploymentContainer: 'app-package-${resourceToken}'
  timeZoneDataContainer: 'tzdata'
}

var secretNames = {
  unsubscribeSigningKey: 'unsubscribe-signing-key'
  operatorKey: 'operator-key'
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
    disableLocalAuth: appInsightsDisableLocalAuth
  }
}

// Two accounts, so that the app's identity holds the blob rights the Functions host needs on one of them only, and
// nothing but table and queue rights on the app's data (docs/deploy.md, "Two storage accounts").
module hostStorage 'modules/storage.bicep' = {
  name: 'hoststorage'
  scope: rg
  params: {
    name: names.hostStorage
    location: location
    tags: tags
    containerNames: [
      names.deploymentContainer
      names.timeZoneDataContainer
    ]
  }
}

module dataStorage 'modules/storage.bicep' = {
  name: 'datastorage'
  scope: rg
  params: {
    name: names.dataStorage
    location: location
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    enablePurgeProtection: keyVaultEnablePurgeProtection
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    writeSecretValues: keyVaultWriteMode == 'write'
    signingKeySecretName: secretNames.unsubscribeSigningKey
    operatorKeySecretName: secretNames.operatorKey
    signingKeyValue: base64(unsubscribeSigningKey)
    operatorKeyValue: operatorKey
  }
}

module communication 'modules/communication.bicep' = {
  name: 'communication'
  scope: rg
  params: {
    communicationServiceName: names.communicationService
    emailServiceName: names.emailService
    tags: tags
    dataLocation: communicationDataLocation
    customDomainName: customEmailDomainName
    linkCustomDomain: emailSenderDomain == 'custom'
  }
}

// Names are passed as compile-time values (not module outputs) so What-If can predict the
// assignments; dependsOn provides the ordering instead.
module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  dependsOn: [
    identity
    monitoring
    hostStorage
    dataStorage
    keyVault
    communication
  ]
  params: {
    appIdentityName: names.identity
    userPrincipalId: principalId
    userPrincipalType: principalType
    hostStorageAccountName: names.hostStorage
    timeZoneDataContainerName: names.timeZoneDataContainer
    dataStorageAccountName: names.dataStorage
    applicationInsightsName: names.applicationInsights
    keyVaultName: names.keyVault
    communicationServiceName: names.communicationService
  }
}

// Versionless secret URIs: the platform re-reads the latest version (see docs/deploy.md, "Rotate keys").
var keyVaultReference = {
  unsubscribeSigningKey: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/${secretNames.unsubscribeSigningKey})'
  operatorKey: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.vaultUri}secrets/${secretNames.operatorKey})'
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  // The app starts resolving Key Vault references and taking storage leases as soon as it exists.
  dependsOn: [
    rbac
  ]
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    serviceName: serviceName
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    hostStorageAccountName: hostStorage.outputs.name
    hostBlobEndpoint: hostStorage.outputs.blobEndpoint
    deploymentContainerName: names.deploymentContainer
    dataQueueEndpoint: dataStorage.outputs.queueEndpoint
    dataTableEndpoint: dataStorage.outputs.tableEndpoint
    tablePrefix: tablePrefix
    runtimeName: 'dotnet-isolated'
    runtimeVersion: '10.0'
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    entraAuthClientId: entraAuthClientId
    entraAuthTenantId: entraAuthTenantId
    entraAuthRequired: entraAuthRequired
    publicBaseUrl: publicBaseUrl
    appSettings: {
      ScanSchedule: scanSchedule
      DeadlineAlerts__ScanPeriod: scanPeriod
      DigestSchedule: digestSchedule
      DeadlineAlerts__DigestPeriod: digestPeriod
      // Read at start with the app's identity (Blob Data Owner on the host account covers it); empty: embedded.
      DeadlineAlerts__TimeZoneData: empty(timeZoneDataBlobName)
        ? ''
        : '${hostStorage.outputs.blobEndpoint}${names.timeZoneDataContainer}/${timeZoneDataBlobName}'
      DeadlineAlerts__Delivery__AllowHosts: deliveryAllowHosts
      DeadlineAlerts__Email__Transport: 'acs'
      DeadlineAlerts__Email__Acs__Endpoint: communication.outputs.endpoint
      DeadlineAlerts__Email__From: 'DoNotReply@${communication.outputs.senderDomain}'
      DeadlineAlerts__UnsubscribeKey: keyVaultReference.unsubscribeSigningKey
      DeadlineAlerts__OperatorKey: keyVaultReference.operatorKey
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Outputs (azd writes them to .azure/<env>/.env). Nothing secret.
// ---------------------------------------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_URL string = functionApp.outputs.uri
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_STORAGE_ACCOUNT_NAME string = dataStorage.outputs.name
output AZURE_STORAGE_TABLE_ENDPOINT string = dataStorage.outputs.tableEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = dataStorage.outputs.queueEndpoint
output AZURE_HOST_STORAGE_ACCOUNT_NAME string = hostStorage.outputs.name
output AZURE_TIME_ZONE_DATA_CONTAINER_URL string = '${hostStorage.outputs.blobEndpoint}${names.timeZoneDataContainer}'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.vaultUri
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_LOG_ANALYTICS_WORKSPACE_NAME string = monitoring.outputs.logAnalyticsWorkspaceName
output AZURE_COMMUNICATION_SERVICE_NAME string = communication.outputs.communicationServiceName
output AZURE_COMMUNICATION_ENDPOINT string = communication.outputs.endpoint
output DEADLINEALERTS_EMAIL_FROM string = 'DoNotReply@${communication.outputs.senderDomain}'
output AZURE_EMAIL_AZURE_MANAGED_DOMAIN string = communication.outputs.azureManagedSenderDomain
output AZURE_EMAIL_CUSTOM_DOMAIN_DNS_RECORDS object = communication.outputs.customDomainVerificationRecords
