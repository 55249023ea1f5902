package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/procedures"

	"github.com/google/go-cmp/cmp"
)

// openAPIDoc is openapi.json parsed, with just enough JSON Schema (2020-12) to check the
// API's real responses against it: $ref, allOf, oneOf, type, enum, format, properties,
// required, additionalProperties, unevaluatedProperties, items, minimum and maximum.
type openAPIDoc struct {
	root map[string]any
}

type schema = map[string]any

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operation returns the operation documented for method and a route path ("" if none).
func (d *openAPIDoc) operation(method, path string) schema {
	paths, _ := d.root["paths"].(schema)
	item, _ := paths[strings.TrimPrefix(path, Prefix)].(schema)
	op, _ := item[strings.ToLower(method)].(schema)
	return op
}

// ref returns the object a local "#/..." reference points to.
func (d *openAPIDoc) ref(ref string) (schema, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("not a local reference: %q", ref)
	}
	var cur any = d.root
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := cur.(schema)
		if !ok {
			return nil, fmt.Errorf("%s: %q is not in an object", ref, part)
		}
		if cur, ok = m[part]; !ok {
			return nil, fmt.Errorf("%s: no %q", ref, part)
		}
	}
	s, ok := cur.(schema)
	if !ok {
		return nil, fmt.Errorf("%s is not an object", ref)
	}
	return s, nil
}

// deref follows $ref until an object without one.
func (d *openAPIDoc) deref(s schema) schema {
	for i := 0; i < 10; i++ {
		r, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		next, err := d.ref(r)
		if err != nil {
			return schema{}
		}
		s = next
	}
	return s
}

// checkResponse checks a response against the document: the operation of the route that
// served it (or the Error schema for the fallback answers) must document the status, and the
// body must match its schema.
func (d *openAPIDoc) checkResponse(h *Handler, r *http.Request, res response) []string {
	if r.Method == http.MethodHead {
		return nil
	}
	var bodySchema schema
	_, pattern := h.known.Handler(r)
	if pattern == "" {
		if res.Status != http.StatusNotFound && res.Status != http.StatusMethodNotAllowed {
			return []string{fmt.Sprintf("unrouted request answered %d", res.Status)}
		}
		bodySchema = schema{"$ref": "#/components/schemas/Error"}
	} else {
		method, path, _ := strings.Cut(pattern, " ")
		op := d.operation(method, path)
		if op == nil {
			return []string{"no operation for " + pattern}
		}
		responses, _ := op["responses"].(schema)
		resp, ok := responses[strconv.Itoa(res.Status)].(schema)
		if !ok {
			if resp, ok = responses["default"].(schema); !ok || res.Status < 400 {
				return []string{fmt.Sprintf("status %d is not documented for %s", res.Status, pattern)}
			}
		}
		resp = d.deref(resp)
		content, _ := resp["content"].(schema)
		if content == nil {
			if len(res.Body) > 0 {
				return []string{fmt.Sprintf("status %d is documented without a body, got %d bytes", res.Status, len(res.Body))}
			}
			return nil
		}
		media, isJSON := content["application/json"].(schema)
		if !isJSON {
			// A file (an attachment, an export): its media type must be one documented.
			mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
			if _, ok := content[mt]; !ok {
				return []string{fmt.Sprintf("Content-Type %q is not documented for %d (%v)", res.Header.Get("Content-Type"), res.Status, slices.Sorted(maps.Keys(content)))}
			}
			return nil
		}
		bodySchema, _ = media["schema"].(schema)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return []string{"Content-Type " + ct}
	}
	var body any
	if err := json.Unmarshal(res.Body, &body); err != nil {
		return []string{"body is not JSON: " + err.Error()}
	}
	problems, _ := d.validate(bodySchema, body, "$")
	return problems
}

// validate checks v against s and returns the problems and the object properties s evaluated
// (for unevaluatedProperties in an enclosing schema).
func (d *openAPIDoc) validate(s schema, v any, at string) (problems []string, evaluated map[string]bool) {
	evaluated = map[string]bool{}
	fail := func(format string, args ...any) { problems = append(problems, at+": "+fmt.Sprintf(format, args...)) }
	if r, ok := s["$ref"].(string); ok {
		target, err := d.ref(r)
		if err != nil {
			fail("%v", err)
			return problems, evaluated
		}
		p, e := d.validate(target, v, at)
		problems = append(problems, p...)
		maps.Copy(evaluated, e)
	}
	if parts, ok := s["allOf"].([]any); ok {
		for _, part := range parts {
			p, e := d.validate(part.(schema), v, at)
			problems = append(problems, p...)
			maps.Copy(evaluated, e)
		}
	}
	if parts, ok := s["oneOf"].([]any); ok {
		matched := 0
		for _, part := range parts {
			if p, e := d.validate(part.(schema), v, at); len(p) == 0 {
				matched++
				maps.Copy(evaluated, e)
			}
		}
		if matched != 1 {
			fail("matches %d of the oneOf alternatives, want 1", matched)
		}
	}
	if t, ok := s["type"]; ok && !typeMatches(t, v) {
		fail("%T %v is not of type %v", v, clipValue(v), t)
		return problems, evaluated
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return reflect.DeepEqual(e, v) }) {
		fail("%v is not one of %v", v, enum)
	}
	if str, ok := v.(string); ok {
		if f, ok := s["format"].(string); ok && !formatMatches(f, str) {
			fail("%q is not in format %s", str, f)
		}
	}
	if n, ok := v.(float64); ok {
		if min, ok := s["minimum"].(float64); ok && n < min {
			fail("%v < minimum %v", n, min)
		}
		if max, ok := s["maximum"].(float64); ok && n > max {
			fail("%v > maximum %v", n, max)
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := s["items"].(schema); ok {
			for i, item := range arr {
				p, _ := d.validate(items, item, fmt.Sprintf("%s[%d]", at, i))
				problems = append(problems, p...)
			}
		}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return problems, evaluated
	}
	props, _ := s["properties"].(schema)
	for _, name := range sortedKeys(obj) {
		if ps, ok := props[name].(schema); ok {
			p, _ := d.validate(ps, obj[name], at+"."+name)
			problems = append(problems, p...)
			evaluated[name] = true
		}
	}
	if req, ok := s["required"].([]any); ok {
		for _, name := range req {
			if _, ok := obj[name.(string)]; !ok {
				fail("required property %q is missing", name)
			}
		}
	}
	switch ap := s["additionalProperties"].(type) {
	case bool:
		if !ap {
			for _, name := range sortedKeys(obj) {
				if _, ok := props[name]; !ok {
					fail("property %q is not documented", name)
				}
			}
		}
	case schema:
		for _, name := range sortedKeys(obj) {
			if _, ok := props[name]; !ok {
				p, _ := d.validate(ap, obj[name], at+"."+name)
				problems = append(problems, p...)
				evaluated[name] = true
			}
		}
	}
	if up, ok := s["unevaluatedProperties"].(bool); ok && !up {
		for _, name := range sortedKeys(obj) {
			if !evaluated[name] {
				fail("property %q is not documented", name)
			}
		}
	}
	return problems, evaluated
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

func clipValue(v any) any {
	if s, ok := v.(string); ok && len(s) > 40 {
		return s[:40] + "…"
	}
	return v
}

func typeMatches(t any, v any) bool {
	switch t := t.(type) {
	case string:
		switch t {
		case "object":
			_, ok := v.(map[string]any)
			return ok
		case "array":
			_, ok := v.([]any)
			return ok
		case "string":
			_, ok := v.(string)
			return ok
		case "number":
			_, ok := v.(float64)
			return ok
		case "integer":
			n, ok := v.(float64)
			return ok && n == math.Trunc(n)
		case "boolean":
			_, ok := v.(bool)
			return ok
		case "null":
			return v == nil
		}
		return false
	case []any:
		return slices.ContainsFunc(t, func(one any) bool { return typeMatches(one, v) })
	}
	return false
}

func formatMatches(format, s string) bool {
	switch format {
	case "date":
		_, err := time.Parse(dateLayout, s)
		return err == nil
	case "date-time":
		t, err := time.Parse(time.RFC3339Nano, s)
		return err == nil && t.Location() == time.UTC && strings.HasSuffix(s, "Z")
	case "uuid":
		return concord.ValidID(s)
	}
	return true
}

// TestOpenAPIMatchesRoutes checks that openapi.json documents exactly the routes of
// routes.go, that Register serves each of them, and that public routes are the ones the
// document lets through without a token.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	d := mustDoc(t)
	if v := d.root["openapi"]; v != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", v)
	}
	servers, _ := d.root["servers"].([]any)
	if len(servers) != 1 || servers[0].(schema)["url"] != Prefix {
		t.Errorf("servers = %v, want one with url %s", servers, Prefix)
	}
	var documented []string
	publicDoc := map[string]bool{}
	global, _ := d.root["security"].([]any)
	for path, item := range d.root["paths"].(schema) {
		for method, op := range item.(schema) {
			if !slices.Contains(httpMethods, method) {
				continue
			}
			pattern := strings.ToUpper(method) + " " + Prefix + path
			documented = append(documented, pattern)
			security, ok := op.(schema)["security"].([]any)
			if !ok {
				security = global
			}
			publicDoc[pattern] = slices.ContainsFunc(security, func(req any) bool { return len(req.(schema)) == 0 })
		}
	}
	var registered []string
	publicRoutes := map[string]bool{}
	for _, rt := range Routes() {
		registered = append(registered, rt.Pattern())
		publicRoutes[rt.Pattern()] = rt.Public
	}
	slices.Sort(documented)
	slices.Sort(registered)
	if diff := cmp.Diff(registered, documented); diff != "" {
		t.Errorf("routes.go and openapi.json differ (-routes.go +openapi.json):\n%s", diff)
	}
	if diff := cmp.Diff(publicRoutes, publicDoc); diff != "" {
		t.Errorf("public routes differ (-routes.go +openapi.json security):\n%s", diff)
	}
	if len(slices.Compact(slices.Clone(registered))) != len(registered) {
		t.Errorf("a route is listed twice: %v", registered)
	}

	mux := http.NewServeMux()
	mux.Handle("GET /", http.NotFoundHandler()) // catch-alls the HTML UI may have must not conflict
	mux.Handle("/", http.NotFoundHandler())
	New(Deps{I18n: mustBundle()}).Register(mux)
	for _, rt := range Routes() {
		path := strings.NewReplacer("{id}", concord.NewID(time.Now()), "{aid}", concord.NewID(time.Now()), "{n}", "2", "{lang}", "es").Replace(rt.Path)
		if _, pattern := mux.Handler(httptest.NewRequest(rt.Method, path, nil)); pattern != rt.Pattern() {
			t.Errorf("%s %s is served by %q, want %q", rt.Method, path, pattern, rt.Pattern())
		}
	}
}

// TestOpenAPIWellFormed checks the document's own consistency: references resolve, path
// parameters are declared, operations have unique IDs, bodies go with the write methods, and
// every operation documents 401 and a default error.
func TestOpenAPIWellFormed(t *testing.T) {
	t.Parallel()
	d := mustDoc(t)
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case schema:
			if r, ok := v["$ref"].(string); ok {
				if _, err := d.ref(r); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			}
			for k, x := range v {
				walk(x, at+"/"+k)
			}
		case []any:
			for i, x := range v {
				walk(x, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(d.root, "#")

	ids := map[string]string{}
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	for path, item := range d.root["paths"].(schema) {
		item := item.(schema)
		declared := func(op schema) map[string]bool {
			names := map[string]bool{}
			for _, list := range []any{item["parameters"], op["parameters"]} {
				ps, _ := list.([]any)
				for _, p := range ps {
					p := d.deref(p.(schema))
					if p["in"] == "path" {
						if p["required"] != true {
							t.Errorf("%s: path parameter %v is not required", path, p["name"])
						}
						names[p["name"].(string)] = true
					}
				}
			}
			return names
		}
		for method, op := range item {
			if !slices.Contains(httpMethods, method) {
				continue
			}
			op := op.(schema)
			where := strings.ToUpper(method) + " " + path
			id, _ := op["operationId"].(string)
			if id == "" || ids[id] != "" {
				t.Errorf("%s: operationId %q is missing or also used by %s", where, id, ids[id])
			}
			ids[id] = where
			want := map[string]bool{}
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				want[m[1]] = true
			}
			if diff := cmp.Diff(want, declared(op)); diff != "" {
				t.Errorf("%s: path parameters (-in path +declared):\n%s", where, diff)
			}
			// PUT and PATCH take a body; POST may do without (an action such as starting a
			// translation); GET and DELETE do not.
			body, hasBody := op["requestBody"].(schema)
			switch {
			case (method == "put" || method == "patch") && !hasBody:
				t.Errorf("%s: no requestBody", where)
			case hasBody && method != "post" && method != "put" && method != "patch":
				t.Errorf("%s: a requestBody on %s", where, method)
			case hasBody:
				content, _ := body["content"].(schema)
				if len(content) == 0 || body["required"] != true {
					t.Errorf("%s: request body is not required or has no media type", where)
				}
			}
			responses, _ := op["responses"].(schema)
			success := 0
			for code := range responses {
				if strings.HasPrefix(code, "2") {
					success++
				}
			}
			if success != 1 || responses["401"] == nil || responses["default"] == nil {
				t.Errorf("%s: want one 2xx response, a 401 and a default; have %v", where, slices.Sorted(maps.Keys(responses)))
			}
			if len(want) > 0 && responses["404"] == nil {
				t.Errorf("%s: a route with a path parameter must document 404", where)
			}
			if hasBody && (responses["400"] == nil || responses["413"] == nil || responses["415"] == nil || responses["422"] == nil) {
				t.Errorf("%s: a body route must document 400, 413, 415 and 422", where)
			}
		}
	}
}

// TestOpenAPISchemasMatchDTOs checks that each schema lists exactly the JSON fields of the Go
// type the API encodes or decodes for it.
func TestOpenAPISchemasMatchDTOs(t *testing.T) {
	t.Parallel()
	d := mustDoc(t)
	types := map[string]reflect.Type{
		"Error": reflect.TypeFor[errorBody](), "ErrorDetail": reflect.TypeFor[errorDTO](), "FieldError": reflect.TypeFor[fieldErrorDTO](),
		"Organization": reflect.TypeFor[organizationDTO](), "OrganizationList": reflect.TypeFor[listOf[organizationDTO]](),
		"OrganizationProfile": reflect.TypeFor[organizationProfile](), "OrganizationCreate": reflect.TypeFor[organizationCreateRequest](),
		"Application": reflect.TypeFor[applicationRequest](), "OrganizationPatch": reflect.TypeFor[organizationPatch](),
		"StatusChange": reflect.TypeFor[statusChangeDTO](), "StatusChangeList": reflect.TypeFor[listOf[statusChangeDTO]](),
		"StatusChangeCreate": reflect.TypeFor[statusChangeRequest](),
		"Person":             reflect.TypeFor[personDTO](), "PersonList": reflect.TypeFor[listOf[personDTO]](),
		"PersonWithMandates": reflect.TypeFor[personWithMandatesDTO](), "PersonWithMandatesList": reflect.TypeFor[listOf[personWithMandatesDTO]](),
		"ProfilePatch": reflect.TypeFor[profilePatch](), "FederationRoles": reflect.TypeFor[federationRolesRequest](),
		"Mandate": reflect.TypeFor[mandateDTO](), "MandateList": reflect.TypeFor[listOf[mandateDTO]](),
		"MandateCreate": reflect.TypeFor[mandateCreateRequest](), "MandatePatch": reflect.TypeFor[mandatePatch](),
		"Invitation": reflect.TypeFor[invitationDTO](), "InvitationList": reflect.TypeFor[listOf[invitationDTO]](),
		"InvitationCreate": reflect.TypeFor[invitationCreateRequest](), "InvitationCreated": reflect.TypeFor[invitationCreatedDTO](),
		"AuditEvent": reflect.TypeFor[auditEventDTO](), "AuditChange": reflect.TypeFor[changeDTO](), "AuditEventPage": reflect.TypeFor[auditPage](),
		"Token": reflect.TypeFor[tokenDTO](), "TokenList": reflect.TypeFor[listOf[tokenDTO]](),
		"TokenCreate": reflect.TypeFor[tokenCreateRequest](), "TokenCreated": reflect.TypeFor[tokenCreatedDTO](),
		"Jubilee": reflect.TypeFor[jubileeDTO](), "JubileeList": reflect.TypeFor[listOf[jubileeDTO]](),

		"Document": reflect.TypeFor[documentDTO](), "DocumentDetail": reflect.TypeFor[documentDetailDTO](),
		"DocumentList": reflect.TypeFor[listOf[documentDTO]](), "DocumentCreate": reflect.TypeFor[documentCreateRequest](),
		"DocumentPatch": reflect.TypeFor[documentPatch](), "DocumentText": reflect.TypeFor[textRequest](),
		"DocumentStatusChange": reflect.TypeFor[documentStatusRequest](), "Version": reflect.TypeFor[versionDTO](),
		"VersionDetail": reflect.TypeFor[versionDetailDTO](), "VersionList": reflect.TypeFor[listOf[versionDTO]](),
		"DiffOp": reflect.TypeFor[diffOpDTO](), "VersionDiff": reflect.TypeFor[versionDiffDTO](),
		"Attachment": reflect.TypeFor[attachmentDTO](), "AttachmentList": reflect.TypeFor[listOf[attachmentDTO]](),
		"Translation": reflect.TypeFor[translationDTO](), "TranslationList": reflect.TypeFor[listOf[translationDTO]](),
		"TranslationDetail": reflect.TypeFor[translationDetailDTO](), "Segment": reflect.TypeFor[segmentDTO](),
		"GlossaryViolation": reflect.TypeFor[violationDTO](), "GlossaryViolationList": reflect.TypeFor[listOf[violationDTO]](),
		"SegmentEdit": reflect.TypeFor[segmentEdit](), "TranslationPatch": reflect.TypeFor[translationPatch](),
		"MachineRequest": reflect.TypeFor[machineRequest](), "FinalRequest": reflect.TypeFor[finalRequest](),
		"Suggestion": reflect.TypeFor[suggestionDTO](), "SuggestionList": reflect.TypeFor[listOf[suggestionDTO]](),
		"ImportReport": reflect.TypeFor[importReportDTO](), "ImportRejection": reflect.TypeFor[importItemDTO](),
		"GlossaryTerm": reflect.TypeFor[glossaryTermDTO](), "GlossaryTermList": reflect.TypeFor[listOf[glossaryTermDTO]](),
		"GlossaryTermCreate": reflect.TypeFor[glossaryTermRequest](), "GlossaryCheck": reflect.TypeFor[glossaryCheckRequest](),
		"GlossaryImport": reflect.TypeFor[glossaryImportDTO](), "SearchHit": reflect.TypeFor[searchHitDTO](),
		"SearchHitList": reflect.TypeFor[listOf[searchHitDTO]](), "Engine": reflect.TypeFor[engineDTO](),
		"EngineList": reflect.TypeFor[listOf[engineDTO]](), "LanguagePair": reflect.TypeFor[pairDTO](),

		"Rule": reflect.TypeFor[ruleDTO](), "Electorate": reflect.TypeFor[electorateDTO](), "Procedure": reflect.TypeFor[procedureDTO](),
		"ProcedureDocument": reflect.TypeFor[procDocumentDTO](), "Tally": reflect.TypeFor[tallyDTO](), "Reason": reflect.TypeFor[reasonDTO](),
		"Result": reflect.TypeFor[resultDTO](), "ProcedureDetail": reflect.TypeFor[procedureDetailDTO](),
		"Response": reflect.TypeFor[responseDTO](), "ResponseCreate": reflect.TypeFor[respondRequest](),
		"TallyEvent": reflect.TypeFor[procedures.TallyEvent](), "SignatoryEvent": reflect.TypeFor[procedures.SignatoryEvent](),
		"ProcedureList": reflect.TypeFor[listOf[procedureDTO]](), "ProcedureCreate": reflect.TypeFor[procedureCreateRequest](),
		"ResponseList": reflect.TypeFor[listOf[responseDTO]](), "Signatory": reflect.TypeFor[signatoryDTO](),
		"SignatoryList": reflect.TypeFor[signatoryListDTO](),
	}
	schemas := d.root["components"].(schema)["schemas"].(schema)
	for name, s := range schemas {
		s := s.(schema)
		if s["type"] != "object" && s["allOf"] == nil {
			continue // ID, Date, enums
		}
		typ, ok := types[name]
		if !ok {
			t.Errorf("schema %s has no Go type in this test", name)
			continue
		}
		if diff := cmp.Diff(jsonFields(typ), d.propertyNames(s)); diff != "" {
			t.Errorf("schema %s and %v differ (-Go +openapi.json):\n%s", name, typ, diff)
		}
	}
	for name := range types {
		if schemas[name] == nil {
			t.Errorf("no schema %s in openapi.json", name)
		}
	}
}

// propertyNames returns the sorted property names of s, through $ref and allOf.
func (d *openAPIDoc) propertyNames(s schema) []string {
	s = d.deref(s)
	props, _ := s["properties"].(schema)
	names := slices.Collect(maps.Keys(props))
	if parts, ok := s["allOf"].([]any); ok {
		for _, p := range parts {
			names = append(names, d.propertyNames(p.(schema))...)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// jsonFields returns the sorted JSON names of t's fields, embedded structs flattened.
func jsonFields(t reflect.Type) []string {
	var names []string
	for _, f := range reflect.VisibleFields(t) {
		if f.Anonymous || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func TestServeOpenAPI(t *testing.T) {
	t.Parallel()
	h := New(Deps{I18n: mustBundle()})
	mux := http.NewServeMux()
	h.Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Prefix+"/openapi.json", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got["openapi"] != "3.1.0" {
		t.Fatalf("served document: %v, openapi %v", err, got["openapi"])
	}
}
