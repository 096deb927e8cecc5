/**
 * Registers models the registry does not list yet (imported by training workers through the `preload`
 * option, and by loaders). A no-op for names already registered.
 */
import { modelNames, registerModel } from "../src/lib/models/registry.js";
import { REFERENCE_INN_NAME, referenceInnFromSpec } from "../src/lib/models/reference-inn-spec.js";

if (!modelNames().includes(REFERENCE_INN_NAME)) registerModel(REFERENCE_INN_NAME, referenceInnFromSpec);

export const REGISTER_MODELS_URL = import.meta.url;
