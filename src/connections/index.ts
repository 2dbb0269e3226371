export { ConnectionHost, connectionLeaseName, type ConnectionFactory, type ConnectionHostOptions, type ConnectionOutcome, type StatefulConnection } from './host';
