/** The stand-in's (or the cluster's) URI with a database of the test's own. */
export function uriWithDb(uri: string, dbName: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^/?]+)\/?[^?]*/, `$1/${dbName}`);
}
