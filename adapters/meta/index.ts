export { createMessengerAdapter, instagramCapabilities, messengerCapabilities } from './messenger';
export { createWhatsAppAdapter, whatsappCapabilities, type MetaAdapterDeps } from './whatsapp';
export { parseMessengerRequest } from './messenger-parse';
export { parseWhatsAppRequest } from './whatsapp-parse';
export { metaHandshake, verifyMetaSignature } from './signature';
export { fetchWhatsAppMedia } from './media';
