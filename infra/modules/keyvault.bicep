// Key Vault (RBAC authorization) holding the two application secrets that the Function App
// reads through Key Vault references.

@description('Key Vault name (3-24 characters, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the resource.')
param tags object

@description('Enable purge protection. Irreversible once enabled; the vault name then stays reserved for the retention period after deletion.')
param enablePurgeProtection bool

@description('Soft-delete retention in days.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Write the secret values below (creates a new secret version each deployment). False leaves existing secrets untouched.')
param writeSecretValues bool

@description('Name of the secret holding the unsubscribe-link signing key.')
param signingKeySecretName string

@description('Name of the secret holding the operator key.')
param operatorKeySecretName string

@secure()
@description('Unsubscribe-link signing key value.')
param signingKeyValue string

@secure()
@description('Operator key value.')
param operatorKeyValue string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // Purge protection cannot be switched off once on, and ARM rejects an explicit false on a
    // vault that has it, so the property is omitted (null) unless it is requested.
    enablePurgeProtection: enablePurgeProtection ? true : null
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource signingKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (writeSecretValues) {
  parent: vault
  name: signingKeySecretName
  properties: {
    value: signingKeyValue
    contentType: 'text/plain'
  }
}

resource operatorKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (writeSecretValues) {
  parent: vault
  name: operatorKeySecretName
  properties: {
    value: operatorKeyValue
    contentType: 'text/plain'
  }
}

output id string = vault.id
output name string = vault.name
output vaultUri string = vault.properties.vaultUri
