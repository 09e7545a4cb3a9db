// Calls the portal's CKAN action API with ckan.js (the npm package "ckan", a
// CKAN client of the Open Knowledge Foundation) and prints what it got as JSON.
// Usage: node client.js ENDPOINT
"use strict";
const CKAN = require("ckan");

const client = new CKAN.Client(process.argv[2]);
const call = (name, data) =>
  new Promise((resolve, reject) =>
    client.action(name, data, (err, out) => (err ? reject(new Error(name + ": " + err)) : resolve(out))));

(async () => {
  const out = {};
  out.package_list = await call("package_list", {});
  const id = out.package_list.result.includes("health-clinics") ? "health-clinics" : out.package_list.result[0];
  out.package_show = await call("package_show", { id });
  const res = out.package_show.result.resources.find((r) => r.datastore_active);
  out.datastore_search = await call("datastore_search", { resource_id: res.id, limit: 5, offset: 2 });
  out.datastore_filtered = await call("datastore_search", {
    resource_id: res.id,
    filters: { clinic_type: "Trạm y tế" },
    limit: 1000,
  });
  // The Recline-style query of the same client library.
  out.datastore_query = await new Promise((resolve, reject) =>
    client.datastoreQuery({ resource_id: res.id, size: 3, from: 0 }, (err, r) => (err ? reject(err) : resolve(r))));
  out.package_search = await call("package_search", { q: "y tế", rows: 10 });
  out.organization_list = await call("organization_list", { all_fields: true });
  out.missing = await new Promise((resolve) => client.action("package_show", { id: "khong-co" }, (err, body) => resolve({ err: String(err), body })));
  process.stdout.write(JSON.stringify(out));
})().catch((e) => {
  process.stderr.write(String(e.stack || e) + "\n");
  process.exit(1);
});
