import type { Node } from 'web-tree-sitter';

import { type BicepFile, lineOf } from '../bicep-file';
import { passedExpression } from '../bicep-modules';
import {
  enclosingResource,
  resourceProperties,
  type ResourceRef,
  resourcesReferenced,
  sameResource,
} from '../bicep-resources';
import { descendants, isExistingResource, objectProperty, resourceTypeOf, toDeclaration } from '../bicep-syntax';
import { traceStringLiteral } from '../bicep-values';
import { absenceFinding, type Finding } from '../finding';

const EMAIL_SERVICES = 'microsoft.communication/emailservices';
const DOMAINS = `${EMAIL_SERVICES}/domains`;
const COMMUNICATION_SERVICES = 'microsoft.communication/communicationservices';

/** A resource the Bicep deploys (not an `existing` reference), with its symbol for findings. */
export interface DeployedResource extends ResourceRef {
  symbol: string;
}

/** An email domain the Bicep deploys, with how it is managed when that is written as a literal. */
export interface EmailDomain extends DeployedResource {
  /** `AzureManaged`, `CustomerManaged`, … or undefined when it is not a literal. */
  management: string | undefined;
}

/** Microsoft.Communication/emailServices resources the Bicep deploys. */
export function deployedEmailServices(files: BicepFile[]): DeployedResource[] {
  return deployed(files, (node) => resourceTypeOf(node) === EMAIL_SERVICES);
}

/** Email domains the Bicep deploys: `domains` children nested in an email service, or top-level `…/domains`. */
export function deployedEmailDomains(files: BicepFile[]): EmailDomain[] {
  return files.flatMap((file) =>
    deployed([file], (node) => isEmailDomain(node, file)).map((domain) => ({
      ...domain,
      management: traceStringLiteral(objectProperty(resourceProperties(domain), 'domainManagement'), file),
    })),
  );
}

/** Microsoft.Communication/communicationServices resources the Bicep deploys. */
export function deployedCommunicationServices(files: BicepFile[]): DeployedResource[] {
  return deployed(files, (node) => resourceTypeOf(node) === COMMUNICATION_SERVICES);
}

/** The email domains an ACS resource links: the resources whose `.id` its `properties.linkedDomains` is made of. */
export function linkedDomainsOf(communicationService: ResourceRef, files: BicepFile[]): ResourceRef[] {
  const linkedDomains = objectProperty(resourceProperties(communicationService), 'linkedDomains');
  return resourcesReferenced(linkedDomains, communicationService.file, files, 'id');
}

/** The domains no deployed ACS resource links. */
export function unlinkedDomains<T extends ResourceRef>(domains: T[], files: BicepFile[]): T[] {
  return domains.filter((domain) => communicationServicesLinking(domain, files).length === 0);
}

/** The deployed ACS resources that link a domain. */
export function communicationServicesLinking(domain: ResourceRef, files: BicepFile[]): DeployedResource[] {
  return deployedCommunicationServices(files).filter((service) =>
    linkedDomainsOf(service, files).some((linked) => sameResource(linked, domain)),
  );
}

/**
 * Email goes out through ACS from a domain of an Email Communication Service. The Bicep deploys an emailServices
 * resource with an Azure-managed domain (`domainManagement: 'AzureManaged'` as a literal), which an ACS resource links
 * (`properties.linkedDomains` holds the domain's `.id`, through parameters and module outputs), without which ACS
 * sends from none of its addresses; every domain sets `userEngagementTracking: 'Disabled'` as a literal (tracking would
 * rewrite every link in the emails and report who reads them; Learn says an Azure-managed domain cannot have it); and
 * the email service keeps its data where the ACS resource that links its domains does (its `dataLocation` comes from
 * what that resource's comes from), as Learn requires for linking. EMAIL_SENDER, the role and keys: email-access.ts.
 */
export function checkEmail(files: BicepFile[], mainBicep: BicepFile): Finding[] {
  const services = deployedEmailServices(files);
  if (services.length === 0) {
    const message =
      'no Microsoft.Communication/emailServices resource: the backend emails away users through ACS Email';
    return [absenceFinding(mainBicep, 'email', message)];
  }
  const domains = deployedEmailDomains(files);
  return [
    ...managedDomainFindings(services, domains, files),
    ...domains.flatMap(trackingFindings),
    ...services.flatMap((service) => dataLocationFindings(service, domains, files)),
  ];
}

function managedDomainFindings(services: DeployedResource[], domains: EmailDomain[], files: BicepFile[]): Finding[] {
  const managed = domains.filter((domain) => domain.management === 'AzureManaged');
  if (managed.length === 0) {
    const [service] = services;
    if (!service) return [];
    return [
      finding(
        service.file,
        service.node,
        `${service.symbol} has no domain with domainManagement: 'AzureManaged' (a literal): an Azure-managed domain ` +
          'sends at once, with no DNS records to publish',
      ),
    ];
  }
  return unlinkedDomains(managed, files).map((domain) =>
    finding(
      domain.file,
      domain.node,
      `no Microsoft.Communication/communicationServices resource links ${domain.symbol} ` +
        '(properties.linkedDomains, its .id): ACS sends from none of its addresses',
    ),
  );
}

function trackingFindings(domain: EmailDomain): Finding[] {
  const tracking = objectProperty(resourceProperties(domain), 'userEngagementTracking');
  if (tracking && traceStringLiteral(tracking, domain.file) === 'Disabled') return [];
  return [
    finding(
      domain.file,
      tracking ?? domain.node,
      `${domain.symbol} does not set userEngagementTracking: 'Disabled' (a literal): tracking rewrites every link ` +
        'in the emails, the unsubscribe link among them, and reports who opens them',
    ),
  ];
}

function dataLocationFindings(service: DeployedResource, domains: EmailDomain[], files: BicepFile[]): Finding[] {
  const linking = uniqueResources(
    domains
      .filter((domain) => sameResource(enclosingService(domain), service))
      .flatMap((domain) => communicationServicesLinking(domain, files)),
  );
  const location = objectProperty(resourceProperties(service), 'dataLocation');
  const source = passedExpression(location, service.file, files);
  return linking.flatMap((communicationService) => {
    const expected = passedExpression(
      objectProperty(resourceProperties(communicationService), 'dataLocation'),
      communicationService.file,
      files,
    );
    const same =
      source !== undefined &&
      expected !== undefined &&
      source.file.absolutePath === expected.file.absolutePath &&
      source.node.text === expected.node.text;
    if (same) return [];
    return [
      finding(
        service.file,
        location ?? service.node,
        `${service.symbol}'s dataLocation does not come from what the dataLocation of ${communicationService.symbol}, ` +
          `which links its domains, comes from (${expected ? `${expected.node.text} in ${expected.file.displayPath}` : 'unknown'}): ` +
          'a domain links only to an ACS resource in the same geography',
      ),
    ];
  });
}

/** The resources less repeats (the same declaration reached twice). */
export function uniqueResources<T extends ResourceRef>(resources: T[]): T[] {
  return resources.filter((resource, index) => resources.findIndex((other) => sameResource(other, resource)) === index);
}

function enclosingService(domain: EmailDomain): ResourceRef | undefined {
  const node = enclosingResource(domain.node, domain.file);
  return node ? { file: domain.file, node } : undefined;
}

function isEmailDomain(node: Node, file: BicepFile): boolean {
  const type = resourceTypeOf(node);
  if (type === DOMAINS) return true;
  if (type !== 'domains') return false;
  const parent = enclosingResource(node, file);
  return parent !== undefined && resourceTypeOf(parent) === EMAIL_SERVICES;
}

function deployed(files: BicepFile[], matches: (node: Node) => boolean): DeployedResource[] {
  return files.flatMap((file) =>
    descendants(file.root)
      .filter((node) => node.type === 'resource_declaration' && matches(node) && !isExistingResource(node))
      .map((node) => ({ file, node, symbol: toDeclaration(node)?.name ?? 'resource' })),
  );
}

function finding(file: BicepFile, node: Node, message: string): Finding {
  return { file: file.displayPath, line: lineOf(node), check: 'email', message };
}
