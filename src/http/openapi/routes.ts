import { Router } from 'express';
import { openApiDocument } from './document';

/** `GET /openapi.json`: public, built once; it holds no secrets (schemes only, never keys). */
export function openApiRoutes(version: string): Router {
  const router = Router();
  const doc = openApiDocument(version);
  router.get('/openapi.json', (_req, res) => void res.json(doc));
  return router;
}
