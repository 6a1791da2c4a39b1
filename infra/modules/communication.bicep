// Azure Communication Services + Email Communication Service with an Azure-managed sender
// domain (always) and, optionally, a customer-managed (custom) domain.
//
// A custom domain can only be linked to the Communication Services resource after its DNS
// records are verified, so it is provisioned in two steps:
//   1. customDomainName set, linkCustomDomain false -> the domain resource is created and its
//      verification records (Domain TXT, SPF TXT, DKIM/DKIM2 CNAME) are output.
//   2. after the records are published and verified, linkCustomDomain true -> the domain is
//      linked and becomes the sender domain.

@description('Name of the Communication Services resource.')
param communicationServiceName string

@description('Name of the Email Communication Service resource.')
param emailServiceName string

@description('Tags applied to the resources.')
param tags object

@description('Where Communication Services stores data at rest. The email service must use the same data location to be linked.')
param dataLocation string

@description('Custom (customer-managed) email domain, e.g. alerts.contoso.com. Empty: Azure-managed domain only.')
param customDomainName string

@description('Link the custom domain and send from it. Only after its DNS records are verified.')
param linkCustomDomain bool

var hasCustomDomain = !empty(customDomainName)
var sendFromCustomDomain = hasCustomDomain && linkCustomDomain

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

resource azureManagedDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource customDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = if (hasCustomDomain) {
  parent: emailService
  name: hasCustomDomain ? customDomainName : 'unused'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'CustomerManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: sendFromCustomDomain ? [azureManagedDomain.id, customDomain.id] : [azureManagedDomain.id]
  }
}

output communicationServiceId string = communicationService.id
output communicationServiceName string = communicationService.name
// e.g. https://acs-xxxx.unitedstates.communication.azure.com (the host name includes the data geography)
output endpoint string = 'https://${communicationService.properties.hostName}'
output azureManagedSenderDomain string = azureManagedDomain.properties.mailFromSenderDomain
output senderDomain string = sendFromCustomDomain ? customDomain!.properties.mailFromSenderDomain : azureManagedDomain.properties.mailFromSenderDomain
// DNS records to publish for the custom domain (not secrets). Empty object without a custom domain.
output customDomainVerificationRecords object = hasCustomDomain ? customDomain!.properties.verificationRecords : {}
