// User-assigned managed identity used by the Function App for everything: AzureWebJobsStorage,
// the app's own tables/queue, the deployment package container, Key Vault references,
// Application Insights (Entra ingestion) and Azure Communication Services email.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the resource.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
