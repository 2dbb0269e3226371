import { Router } from 'express';
import { openApiDocument, type DocumentSource } from './document';

/**
 * `GET /openapi.json`: public, built once when the app is made (a console route without a description fails the
 * build loudly here, see console-paths.ts); it holds no secrets (schemes only, never keys).
 */
export function openApiRoutes(source: DocumentSource): Router {
  const router = Router();
  const doc = openApiDocument(source);
  router.get('/openapi.json', (_req, res) => void res.json(doc));
  return router;
}
