// Validates Kubernetes objects the way an API server's schema check would, so an invalid field
// fails a test here instead of a rollout on a real cluster.
//
//   node validate.mjs OBJECTS.json CRD_DIR
//
// OBJECTS.json is a JSON array of objects. Built-in kinds are checked against kubernetes-models
// (generated from the Kubernetes OpenAPI spec: types, enums, required fields, formats);
// ServiceMonitor against @kubernetes-models/prometheus-operator; CRD kinds found in CRD_DIR
// (the external-snapshotter CRDs) against their openAPIV3Schema with ajv, unknown fields refused
// (an API server prunes them silently, which loses data just the same) and the CRD's
// create-time CEL rules evaluated. A kind with no schema is an error: nothing passes unchecked.
//
// Prints one JSON array: for each object {index, kind, name, errors: [..]}; exit 0 either way
// (the caller asserts), exit 2 when the input cannot be read.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import yaml from "js-yaml";

const [objectsFile, crdDir] = process.argv.slice(2);
let objects;
try {
  objects = JSON.parse(readFileSync(objectsFile, "utf8"));
} catch (e) {
  console.error(`cannot read ${objectsFile}: ${e.message}`);
  process.exit(2);
}

const crdSchemas = loadCrds(crdDir);
const results = [];
for (const [index, object] of objects.entries()) {
  const kind = object?.kind;
  const apiVersion = object?.apiVersion;
  const name = object?.metadata?.name ?? object?.metadata?.generateName ?? "";
  let errors;
  try {
    errors = await validate(object);
  } catch (e) {
    errors = [`validator failed: ${e.message}`];
  }
  results.push({ index, apiVersion, kind, name, errors });
}
console.log(JSON.stringify(results));

async function validate(object) {
  if (typeof object !== "object" || object === null) return ["not an object"];
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    return ["apiVersion and kind are required"];
  }
  const crd = crdSchemas.get(`${apiVersion}/${kind}`);
  if (crd) return validateCrd(crd, object);
  const model = await modelFor(apiVersion, kind);
  if (!model) return [`no schema known for ${apiVersion} ${kind}`];
  try {
    new model(object).validate();
    return [];
  } catch (e) {
    if (Array.isArray(e.errors)) {
      return e.errors.map((err) => `${err.instancePath || "/"} ${err.message}`);
    }
    return [e.message];
  }
}

async function modelFor(apiVersion, kind) {
  const modules =
    apiVersion.startsWith("monitoring.coreos.com/")
      ? [`@kubernetes-models/prometheus-operator/${apiVersion}`]
      : [`kubernetes-models/${apiVersion}`];
  for (const name of modules) {
    try {
      const module = await import(name);
      if (module[kind]) return module[kind];
    } catch (e) {
      if (e.code !== "ERR_MODULE_NOT_FOUND" && e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e;
    }
  }
  return null;
}

function loadCrds(dir) {
  const schemas = new Map();
  if (!dir) return schemas;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
    const crd = yaml.load(readFileSync(join(dir, file), "utf8"));
    if (crd?.kind !== "CustomResourceDefinition") continue;
    for (const version of crd.spec.versions) {
      if (!version.served) continue;
      const schema = closeObjects(structuredClone(version.schema.openAPIV3Schema), true);
      schemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, {
        check: ajv.compile(schema),
        rules: celRules(version.schema.openAPIV3Schema, ""),
      });
    }
  }
  return schemas;
}

// Objects with declared properties accept no others, as a structural schema prunes them;
// the root's metadata is the API server's to check, so it stays open.
function closeObjects(schema, root) {
  if (typeof schema !== "object" || schema === null) return schema;
  if (
    schema.type === "object" &&
    schema.properties &&
    schema.additionalProperties === undefined &&
    !schema["x-kubernetes-preserve-unknown-fields"]
  ) {
    schema.additionalProperties = false;
  }
  for (const [key, value] of Object.entries(schema.properties ?? {})) {
    if (!(root && key === "metadata")) closeObjects(value, false);
  }
  if (schema.items) closeObjects(schema.items, false);
  return schema;
}

// The CEL rules that apply when an object is created: those that do not compare with oldSelf.
function celRules(schema, path) {
  const rules = [];
  for (const rule of schema["x-kubernetes-validations"] ?? []) {
    if (!rule.rule.includes("oldSelf")) rules.push({ path, ...rule });
  }
  for (const [key, value] of Object.entries(schema.properties ?? {})) {
    rules.push(...celRules(value, path ? `${path}.${key}` : key));
  }
  return rules;
}

function validateCrd(crd, object) {
  const errors = [];
  if (!crd.check(object)) {
    for (const err of crd.check.errors) {
      const detail =
        err.keyword === "additionalProperties"
          ? `unknown field "${err.params.additionalProperty}"`
          : err.message;
      errors.push(`${err.instancePath || "/"} ${detail}`);
    }
  }
  for (const rule of crd.rules) {
    const self = rule.path.split(".").reduce((v, k) => (k && v != null ? v[k] : v), object);
    if (self === undefined) continue;
    if (!evaluateCel(rule.rule, self)) errors.push(`/${rule.path.replaceAll(".", "/")} ${rule.message}`);
  }
  return errors;
}

// The subset of CEL the snapshot CRDs use on create: has(self.x), size(self), !, &&, ||, ( ).
function evaluateCel(rule, self) {
  const js = rule
    .replace(/has\(self\.([A-Za-z_]+)\)/g, (_, field) =>
      `(self[${JSON.stringify(field === "__namespace__" ? "namespace" : field)}] !== undefined)`)
    .replace(/size\(self\)/g, "self.length");
  if (/[^\sA-Za-z_.()!&|><=0-9"'[\]]/.test(js) || /\bself\.(?!length)/.test(js)) {
    throw new Error(`unsupported CEL rule: ${rule}`);
  }
  return Function("self", `"use strict"; return (${js});`)(self);
}
