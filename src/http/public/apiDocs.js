// The API reference: Swagger UI (served locally from node_modules) over the generated document.
function start() {
  // eslint-disable-next-line no-undef -- the bundle is a classic script that defines the global
  globalThis.SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger', validatorUrl: null, deepLinking: true, docExpansion: 'none', tryItOutEnabled: false });
}
if (globalThis.SwaggerUIBundle) start();
else window.addEventListener('load', start);
