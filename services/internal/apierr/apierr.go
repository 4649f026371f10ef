// Package apierr is the JSON error envelope every Canteen service answers with, the strict request
// and path-id checks that produce it, and the common ending of every service's error mapping, so a
// client sees one error shape, and one meaning of 503, whichever service it calls.
package apierr

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// MaxBody is the largest request body a service reads; anything a Canteen API takes is far smaller.
const MaxBody = 64 << 10

// Body is the envelope: {"error": {"code": ..., "message": ..., "field": ...}}.
type Body struct {
	Error Detail `json:"error"`
}

// Detail says what went wrong; Field names the offending request field when there is one.
type Detail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Codes shared by all services; a service may add its own (e.g. "sold_out").
const (
	CodeInvalid     = "invalid_argument"
	CodeMalformed   = "malformed_json"
	CodeTooLarge    = "body_too_large"
	CodeNotFound    = "not_found"
	CodeConflict    = "conflict"
	CodeUnavailable = "unavailable"
	CodeInternal    = "internal"
)

// Write aborts the request with status and the envelope.
func Write(c *gin.Context, status int, code, field, message string) {
	c.AbortWithStatusJSON(status, Body{Error: Detail{Code: code, Message: message, Field: field}})
}

// Decode reads a JSON body into dst strictly: unknown fields, trailing data, wrong types and bodies
// over MaxBody are refused with a 4xx naming the problem. It reports whether dst may be used.
func Decode(c *gin.Context, dst any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON object")
	}
	if err == nil {
		return true
	}
	var (
		typeErr *json.UnmarshalTypeError
		tooBig  *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooBig):
		Write(c, http.StatusRequestEntityTooLarge, CodeTooLarge, "", fmt.Sprintf("request body is over %d bytes", MaxBody))
	case errors.As(err, &typeErr) && typeErr.Field == "":
		Write(c, http.StatusBadRequest, CodeInvalid, "", "request body must be a JSON object")
	case errors.As(err, &typeErr):
		Write(c, http.StatusBadRequest, CodeInvalid, typeErr.Field, fmt.Sprintf("%s must be a JSON %s", typeErr.Field, typeErr.Type.Kind()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		Write(c, http.StatusBadRequest, CodeInvalid, field, "unknown field "+field)
	case errors.Is(err, io.EOF):
		Write(c, http.StatusBadRequest, CodeMalformed, "", "request body is empty; a JSON object is required")
	default:
		Write(c, http.StatusBadRequest, CodeMalformed, "", "malformed JSON: "+err.Error())
	}
	return false
}
