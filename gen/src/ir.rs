//! The intermediate representation: what an API *is*, independent of OpenAPI's spelling and of
//! any target language. Built once by [`crate::build`]; every emitter reads only this.
//!
//! Names here are the spec's own (wire names, `operationId`s, schema names); each emitter turns
//! them into identifiers of its language with [`crate::naming`]. Every collection is a `Vec` in
//! document order, so output is deterministic.

use serde_json::Value;

/// A whole API.
#[derive(Debug, Clone, Default)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// Server URLs (`servers[*].url`, variables replaced by their defaults).
    pub servers: Vec<String>,
    /// Named types, in a deterministic order; [`TypeId`] indexes this.
    pub types: Vec<NamedType>,
    /// Operations, in document order (paths, then methods in a fixed order).
    pub operations: Vec<Operation>,
    /// The signing profiles the operations use (security schemes with `x-sigwire`).
    pub signing_schemes: Vec<SigningScheme>,
    /// Constructs the generator could not express exactly, and what it did instead.
    pub degraded: Vec<Degraded>,
}

/// A construct handled approximately: where, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Degraded {
    /// JSON Pointer in the root document.
    pub pointer: String,
    /// What the generator did.
    pub note: String,
}

/// An index into [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub usize);

/// A reference to a type: a primitive, a container, or a named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    /// Any JSON value.
    Any,
    /// A string (`format` kept for documentation: date-time, uuid, decimal, …).
    String(Option<String>),
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// JSON `null` only.
    Null,
    /// Raw bytes (`format: binary`, octet-stream bodies, files in multipart).
    Binary,
    /// A single constant (3.1 `const`, single-value enums).
    Const(Value),
    /// An array of the item type.
    Array(Box<TypeRef>),
    /// A map from string keys to the value type (`additionalProperties`).
    Map(Box<TypeRef>),
    /// The inner type or `null`.
    Nullable(Box<TypeRef>),
    /// A named type.
    Named(TypeId),
}

/// A named type (component schema, or an inline schema named after where it appears).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedType {
    /// The name, in the spec's spelling (schema key, or parent name + field name).
    pub name: String,
    /// JSON Pointer of the schema.
    pub pointer: String,
    /// The description.
    pub doc: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// The shape.
    pub kind: TypeKind,
}

/// The shape of a named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known fields (after `allOf` merging).
    Object(ObjectType),
    /// A set of known values that stays open: an unknown value is kept, never an error.
    Enum(EnumType),
    /// One of several types (`oneOf`/`anyOf`), tagged when a discriminator is declared.
    Union(UnionType),
    /// Another name for a type (a component schema that is an array, a string, …).
    Alias(TypeRef),
}

/// An object type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjectType {
    /// The fields, in schema order.
    pub fields: Vec<Field>,
    /// The type of other keys (`additionalProperties`), if allowed and typed.
    pub additional: Option<TypeRef>,
}

/// A field of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The JSON key.
    pub name: String,
    /// The type (nullable fields are [`TypeRef::Nullable`]).
    pub ty: TypeRef,
    /// Listed in `required`.
    pub required: bool,
    /// `readOnly`: sent by the server only.
    pub read_only: bool,
    /// `writeOnly`: sent by the client only.
    pub write_only: bool,
    /// The default value.
    pub default: Option<Value>,
    /// The description.
    pub doc: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
}

/// An open enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumType {
    /// The known values (strings or numbers), in order.
    pub values: Vec<Value>,
    /// The values are integers/numbers rather than strings.
    pub numeric: bool,
}

/// A union of types.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionType {
    /// The variants in order.
    pub variants: Vec<Variant>,
    /// The discriminator property, when declared.
    pub discriminator: Option<String>,
}

/// A variant of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// The variant's type.
    pub ty: TypeRef,
    /// The discriminator value(s) that select it.
    pub tags: Vec<String>,
}

/// One HTTP operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The `operationId`, or a name derived from method and path.
    pub id: String,
    /// The method name inside its group (the operationId with the group's name removed when
    /// that leaves a word, e.g. `createPayment` in group `payments` → `create`).
    pub method_name: String,
    /// The group (first tag, or `default`).
    pub group: String,
    /// HTTP method, upper case.
    pub method: String,
    /// The path template, e.g. `/payments/{id}`.
    pub path: String,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub doc: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Parameters (path, query, header, cookie), path ones first in template order.
    pub params: Vec<Param>,
    /// The request body.
    pub body: Option<Body>,
    /// Responses by status, in document order.
    pub responses: Vec<Response>,
    /// How the request is authenticated.
    pub signing: Signing,
    /// Auto-pagination, from `x-sigwire-pagination`.
    pub pagination: Option<Pagination>,
    /// JSON Pointer of the operation.
    pub pointer: String,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

/// OpenAPI's parameter serialisation styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `form` (query/cookie default).
    Form,
    /// `simple` (path/header default).
    Simple,
    /// `label` (`.a.b`).
    Label,
    /// `matrix` (`;x=a`).
    Matrix,
    /// `spaceDelimited`.
    SpaceDelimited,
    /// `pipeDelimited`.
    PipeDelimited,
    /// `deepObject` (`x[a]=1`).
    DeepObject,
}

/// A parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The wire name.
    pub name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Required (always for path parameters).
    pub required: bool,
    /// The type.
    pub ty: TypeRef,
    /// The serialisation style.
    pub style: Style,
    /// `explode`.
    pub explode: bool,
    /// The description.
    pub doc: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
}

/// How a body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    /// JSON (`application/json`, `*+json`).
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`.
    Multipart,
    /// Raw bytes (`application/octet-stream`, images, anything else).
    Binary,
    /// Text (`text/*`).
    Text,
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// The media type sent.
    pub content_type: String,
    /// How it is encoded.
    pub encoding: BodyEncoding,
    /// The type of the body value.
    pub ty: TypeRef,
    /// `required: true`.
    pub required: bool,
    /// The description.
    pub doc: Option<String>,
}

/// Which statuses a response covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// One status code.
    Code(u16),
    /// `2XX` etc.: the hundreds digit.
    Range(u8),
    /// `default`.
    Default,
}

impl Status {
    /// Whether this is a success (2xx) response.
    pub fn is_success(&self) -> bool {
        match self {
            Status::Code(c) => (200..300).contains(c),
            Status::Range(r) => *r == 2,
            Status::Default => false,
        }
    }
}

/// A response.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The statuses covered.
    pub status: Status,
    /// The description.
    pub doc: Option<String>,
    /// The body: encoding and type (`None` when there is no content).
    pub body: Option<(BodyEncoding, TypeRef)>,
}

/// How an operation authenticates.
#[derive(Debug, Clone, PartialEq)]
pub enum Signing {
    /// No security requirement (`security: []`, or none declared): sent without `Authorization`.
    Unsigned,
    /// Signed by the runtime with the scheme at this index of [`Api::signing_schemes`].
    Signed(usize),
}

/// A signing profile declared with `x-sigwire` on a security scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct SigningScheme {
    /// The security scheme's name in `components.securitySchemes`.
    pub name: String,
    /// The profile (`sigwire-v1`; later `aws-sigv4`, `rfc9421`, …).
    pub scheme: String,
    /// The algorithm (`hmac-sha256`, `hmac-sha512`).
    pub algorithm: String,
    /// Extra header names signed.
    pub signed_headers: Vec<String>,
}

/// Auto-pagination of a list operation (`x-sigwire-pagination`).
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// How the next page is requested.
    pub style: PageStyle,
    /// Path of the items array in the response body (field names), e.g. `["data"]`.
    pub items: Vec<String>,
    /// The item type (from the response schema), [`TypeRef::Any`] when unknown.
    pub item_ty: TypeRef,
}

/// The pagination styles.
#[derive(Debug, Clone, PartialEq)]
pub enum PageStyle {
    /// The response carries a cursor (at `next`) that goes into query parameter `param`;
    /// the walk ends when it is absent, null or empty.
    Cursor {
        /// Query parameter receiving the cursor.
        param: String,
        /// Path of the next cursor in the response body.
        next: Vec<String>,
    },
    /// `offset`/`limit` query parameters; the walk ends on a short or empty page.
    Offset {
        /// The offset parameter.
        param: String,
        /// The page-size parameter, if any.
        limit: Option<String>,
    },
    /// A page-number parameter starting at `start`; the walk ends on an empty page.
    Page {
        /// The page parameter.
        param: String,
        /// The first page number.
        start: i64,
    },
    /// The response carries the next page's URL (body path, or the `Link` header when empty).
    NextLink {
        /// Path of the next URL in the body; empty = the `Link: <…>; rel="next"` header.
        next: Vec<String>,
    },
}
