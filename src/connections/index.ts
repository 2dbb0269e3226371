export { ConnectionHost, connectionLeaseName, type ConnectionFactory, type ConnectionHostOptions, type StatefulConnection } from './host';
