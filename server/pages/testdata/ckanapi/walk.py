"""Walks the whole catalog of a CKAN site as a harvester does, with ckanapi
(the CKAN project's Python client), and prints what it found as JSON.

organization_list -> package_search per organisation, paged -> package_show
-> resource_show of every resource -> datastore_search of the first
DataStore resource, following _links.next to the end.

Usage: python walk.py SITE_URL
"""
import json
import sys
from urllib.parse import parse_qs, urlparse

import ckanapi

PAGE = 2      # datasets a package_search page: small, so the walk pages
LIMIT = 1000  # rows a datastore_search page


def main(site):
    ck = ckanapi.RemoteCKAN(site, user_agent="kho-harvest-walk/1.0")
    out = {"ckanapi": ckanapi.__name__, "status": ck.action.status_show(), "organizations": {}, "datasets": {}}
    for org in ck.action.organization_list():
        names, start, count = [], 0, None
        while count is None or start < count:
            page = ck.action.package_search(fq="organization:" + org, rows=PAGE, start=start, sort="name asc")
            count = page["count"]
            if not page["results"]:
                break
            names += [p["name"] for p in page["results"]]
            start += PAGE
        out["organizations"][org] = {"count": count, "names": names}
        for name in names:
            pkg = ck.action.package_show(id=name)
            ds = {"organization": pkg["organization"]["name"], "org_count": pkg["organization"]["package_count"],
                  "resources": [], "resource_show_same": True}
            for res in pkg["resources"]:
                shown = ck.action.resource_show(id=res["id"])
                ds["resources"].append(res["format"])
                ds["resource_show_same"] = ds["resource_show_same"] and shown == res
            store = next(r for r in pkg["resources"] if r.get("datastore_active"))
            params = {"resource_id": store["id"], "limit": LIMIT}
            rows, ids, pages, total = 0, [], 0, None
            while True:
                page = ck.action.datastore_search(**params)
                pages += 1
                total = page["total"]
                if not page["records"]:
                    break
                rows += len(page["records"])
                ids += [r["_id"] for r in page["records"]]
                nxt = urlparse(page["_links"]["next"])
                params = {k: v[0] for k, v in parse_qs(nxt.query).items()}
                if pages > 100000:
                    raise SystemExit("datastore_search does not end")
            ds.update(rows=rows, total=total, pages=pages, ids=len(set(ids)), min_id=min(ids, default=0),
                      max_id=max(ids, default=0))
            out["datasets"][name] = ds
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
