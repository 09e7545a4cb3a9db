package dvcqg

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// element is one entry of a request's data array, parsed one level deep.
type element struct {
	obj     map[string]json.RawMessage // nil when the entry is not an object
	problem string                     // why obj is nil
}

// parseObject parses raw as an object of raw fields; what names the value in
// the problem when it is not one.
func parseObject(raw json.RawMessage, what string) element {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return element{problem: fmt.Sprintf("%s is %s, expected an object", what, kindOf(raw))}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return element{problem: fmt.Sprintf("%s: %v", what, err)}
	}
	if obj == nil {
		obj = map[string]json.RawMessage{}
	}
	return element{obj: obj}
}

// kindOf names the kind of a raw JSON value.
func kindOf(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "empty"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// scalar reads a field expected to hold a scalar as text: a string as is, a
// number as its literal (json.Number), a boolean as true/false. Missing or
// null is nil. An object or array is a problem naming the field.
func scalar(raw json.RawMessage, field string) (*string, string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, ""
	}
	var s string
	switch raw[0] {
	case 'n':
		return nil, ""
	case '{', '[':
		return nil, fmt.Sprintf("field %q is %s, expected a text or number value", field, kindOf(raw))
	case '"':
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Sprintf("field %q: %v", field, err)
		}
	default: // number, true, false: the literal is the text
		s = string(raw)
	}
	return &s, ""
}

// arrayField reads a field expected to hold an array: missing or null is empty.
func arrayField(raw json.RawMessage, field string) ([]json.RawMessage, string) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] == 'n' {
		return nil, ""
	}
	if raw[0] != '[' {
		return nil, fmt.Sprintf("field %q is %s, expected an array", field, kindOf(raw))
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Sprintf("field %q: %v", field, err)
	}
	return items, ""
}

// truthy is 1, "1" or true.
func truthy(raw json.RawMessage) bool {
	switch string(bytes.TrimSpace(raw)) {
	case "1", `"1"`, "true":
		return true
	}
	return false
}
