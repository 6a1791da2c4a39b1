// Flex Consumption (FC1) plan + Linux Function App (.NET 10 isolated worker) running as the
// user-assigned managed identity. No connection strings or keys: storage, Key Vault,
// Application Insights and Communication Services are all reached with Entra ID.

@description('Name of the Function App.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region (must offer Flex Consumption).')
param location string

@description('Tags applied to the plan and the app (the app also gets azd-service-name).')
param tags object

@description('azd service name this app deploys (azure.yaml services.<name>).')
param serviceName string

@description('Resource id of the user-assigned managed identity.')
param identityId string

@description('Client id of the user-assigned managed identity.')
param identityClientId string

@description('Host storage account (AzureWebJobsStorage: the host\'s locks, timers and keys; the deployment package).')
param hostStorageAccountName string

@description('Blob endpoint of the host storage account, with trailing slash.')
param hostBlobEndpoint string

@description('Queue endpoint of the data storage account (the app\'s alert queue), with trailing slash.')
param dataQueueEndpoint string

@description('Table endpoint of the data storage account (the app\'s tables), with trailing slash.')
param dataTableEndpoint string

@description('Table/queue name prefix of this installation (DeadlineAlerts__TablePrefix); the queue trigger binds <prefix>alerts.')
@maxLength(20)
param tablePrefix string = ''

@description('Blob container for the deployment package.')
param deploymentContainerName string

@description('Runtime stack.')
param runtimeName string

@description('Runtime version.')
param runtimeVersion string

@description('Maximum number of instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Instance memory size in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Application settings specific to DeadlineAlerts (merged over the platform settings).')
param appSettings object

@description('Client id of the Entra ID app registration for App Service Authentication; empty: authentication off.')
param entraAuthClientId string = ''

@description('Tenant id of that app registration.')
param entraAuthTenantId string = ''

@description('Require sign-in on every path except the public ones (true), or allow anonymous requests and only read who signed in (false).')
param entraAuthRequired bool = false

@description('Base URL of the app as subscribers reach it (DeadlineAlerts__PublicBaseUrl). Empty: https://<the site\'s defaultHostName>. Set it for a custom domain or a front door.')
param publicBaseUrl string = ''

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: runtimeName
        version: runtimeVersion
      }
    }
  }
}

// Flex Consumption does not take FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION,
// WEBSITE_RUN_FROM_PACKAGE or WEBSITE_TIME_ZONE: runtime and deployment live in functionAppConfig,
// and timer schedules are evaluated in UTC.
var platformSettings = {
  // The host's own storage account, apart from the app's data (docs/deploy.md, "Two storage accounts").
  AzureWebJobsStorage__accountName: hostStorageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
  // Lets DefaultAzureCredential/ManagedIdentityCredential pick the user-assigned identity.
  AZURE_CLIENT_ID: identityClientId
  DeadlineAlerts__Storage__TableServiceUri: dataTableEndpoint
  DeadlineAlerts__Storage__QueueServiceUri: dataQueueEndpoint
  DeadlineAlerts__Storage__ClientId: identityClientId
  DeadlineAlerts__TablePrefix: tablePrefix
}

// The queue trigger's identity connection, named DeadlineAlertsQueue (DeliverAlerts.Connection). The platform's
// scale controller (which decides whether a Flex Consumption app gets instances for queue messages) reads these
// settings itself: a flat name, the service URI, and credential=managedidentity, without which clientId is not
// applied (Functions docs, identity-based connections). The same queue service as DeadlineAlerts__Storage__QueueServiceUri;
// tests/DeadlineAlerts.Functions.Tests/TemplateTests.cs checks both against the compiled template.
// AlertQueueName is the queue the trigger binds (DeliverAlerts: %AlertQueueName%): the app's StorageNames.AlertQueue for
// the same prefix, lower case as queue names must be. The worker refuses to start if the two disagree
// (AlertQueueCheck), and the host names the poison queue <AlertQueueName>-poison, as the app does.
var triggerSettings = {
  DeadlineAlertsQueue__queueServiceUri: dataQueueEndpoint
  DeadlineAlertsQueue__credential: 'managedidentity'
  DeadlineAlertsQueue__clientId: identityClientId
  AlertQueueName: toLower('${tablePrefix}alerts')
}

resource settings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: union(platformSettings, triggerSettings, appSettings, {
    // From the site itself: newer apps get a unique default host name (<name>-<hash>.<region>.azurewebsites.net).
    DeadlineAlerts__PublicBaseUrl: empty(publicBaseUrl) ? 'https://${site.properties.defaultHostName}' : publicBaseUrl
  })
}

// App Service Authentication with Entra ID (optional). With it on, the platform sets WEBSITE_AUTH_ENABLED, strips
// X-MS-CLIENT-PRINCIPAL-* headers that clients send and adds its own for a signed-in user; the app then records
// X-MS-CLIENT-PRINCIPAL-NAME as the audit actor (FunctionsHttp.SignedInName). The operator routes keep their
// function key either way. Subscribers' links (unsubscribe, calendar) and the health probe stay reachable.
resource auth 'Microsoft.Web/sites/config@2024-11-01' = if (!empty(entraAuthClientId)) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: entraAuthRequired
      unauthenticatedClientAction: entraAuthRequired ? 'RedirectToLoginPage' : 'AllowAnonymous'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: [
        '/api/health'
        '/api/unsubscribe'
        '/api/calendar/*'
      ]
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: entraAuthClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${entraAuthTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${entraAuthClientId}'
            entraAuthClientId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: true
      }
    }
    httpSettings: {
      requireHttps: true
    }
  }
}

// Publishing with basic (user/password) credentials is off; azd deploys with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output id string = site.id
output defaultHostName string = site.properties.defaultHostName
output uri string = 'https://${site.properties.defaultHostName}'
