// Validates an OpenAPI document with @apidevtools/swagger-parser (the OpenAPI 3.1 schema, and
// every $ref resolved): node openapi-validate.cjs <openapi.json>. It prints "ok" and exits 0, or
// prints what is wrong and exits 1. NODE_PATH must name the node_modules that holds the parser.
const SwaggerParser = require('@apidevtools/swagger-parser');

const file = process.argv[2];
if (!file) {
  console.error('usage: node openapi-validate.cjs <openapi.json>');
  process.exit(2);
}
SwaggerParser.validate(file)
  .then((api) => {
    console.log(`ok: ${api.info.title} ${api.info.version} (OpenAPI ${api.openapi}), ${Object.keys(api.paths).length} paths`);
  })
  .catch((err) => {
    console.error(err.message);
    if (err.details) console.error(JSON.stringify(err.details, null, 2));
    process.exit(1);
  });
