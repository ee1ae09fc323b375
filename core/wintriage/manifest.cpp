#include "wintriage/manifest.h"

#include <expat.h>

#include <cerrno>
#include <climits>

namespace loadlens::wintriage {

namespace {

// Manifests use the asm.v1/v2/v3 namespaces, with or without a prefix ("asmv1:assembly"):
// elements are matched by local name.
std::string_view localName(const XML_Char *name)
{
    std::string_view n(name);
    const std::size_t colon = n.rfind(':');
    return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

struct Collector {
    Manifest manifest;
    std::vector<std::string> path;
    bool dependencyOptional = false;
    std::string error;
    XML_Parser parser = nullptr;

    void stop(std::string why)
    {
        if (error.empty())
            error = std::move(why);
        XML_StopParser(parser, XML_FALSE);
    }

    // The attribute's value; an over-long value stops the parse.
    std::string attribute(const XML_Char **atts, std::string_view wanted)
    {
        for (int i = 0; atts[i] && atts[i + 1]; i += 2) {
            if (localName(atts[i]) != wanted)
                continue;
            std::string value = atts[i + 1];
            if (value.size() > manifest_limits::kMaxAttributeBytes) {
                stop("attribute " + std::string(wanted) + " longer than " +
                     std::to_string(manifest_limits::kMaxAttributeBytes) + " bytes");
                return {};
            }
            return value;
        }
        return {};
    }

    AssemblyIdentity identity(const XML_Char **atts)
    {
        AssemblyIdentity id;
        id.name = attribute(atts, "name");
        id.version = attribute(atts, "version");
        id.processorArchitecture = attribute(atts, "processorArchitecture");
        id.publicKeyToken = attribute(atts, "publicKeyToken");
        id.language = attribute(atts, "language");
        id.type = attribute(atts, "type");
        return id;
    }

    bool parentIs(std::string_view name) const { return !path.empty() && path.back() == name; }
};

void XMLCALL onStart(void *user, const XML_Char *name, const XML_Char **atts)
{
    auto &c = *static_cast<Collector *>(user);
    if (c.path.size() >= manifest_limits::kMaxDepth) {
        c.stop("elements nested deeper than " + std::to_string(manifest_limits::kMaxDepth) + " levels");
        return;
    }
    const std::string_view local = localName(name);
    if (c.path.empty() && local != "assembly") {
        c.stop("the root element is <" + std::string(local.substr(0, 64)) + ">, not <assembly>");
        return;
    }
    if (local == "assemblyIdentity") {
        if (c.parentIs("assembly") && c.path.size() == 1) {
            c.manifest.identity = c.identity(atts);
        } else if (c.parentIs("dependentAssembly") && c.path.size() >= 2 && c.path[c.path.size() - 2] == "dependency") {
            if (c.manifest.dependencies.size() >= manifest_limits::kMaxDependencies) {
                c.stop("more than " + std::to_string(manifest_limits::kMaxDependencies) + " dependent assemblies");
                return;
            }
            c.manifest.dependencies.push_back(c.identity(atts));
            c.manifest.optionalDependencies.push_back(c.dependencyOptional);
        }
    } else if (local == "dependency") {
        const std::string optional = c.attribute(atts, "optional");
        c.dependencyOptional = optional == "yes" || optional == "true";
    } else if (local == "file" && c.parentIs("assembly")) {
        if (c.manifest.files.size() >= manifest_limits::kMaxFiles) {
            c.stop("more than " + std::to_string(manifest_limits::kMaxFiles) + " <file> elements");
            return;
        }
        std::string file = c.attribute(atts, "name");
        if (!file.empty())
            c.manifest.files.push_back(std::move(file));
    }
    c.path.emplace_back(local);
}

void XMLCALL onEnd(void *user, const XML_Char *)
{
    auto &c = *static_cast<Collector *>(user);
    if (!c.path.empty()) {
        if (c.path.back() == "dependency")
            c.dependencyOptional = false;
        c.path.pop_back();
    }
}

void XMLCALL onDoctype(void *user, const XML_Char *, const XML_Char *, const XML_Char *, int)
{
    static_cast<Collector *>(user)->stop("a DOCTYPE in a manifest");
}

void XMLCALL onEntityDecl(void *user, const XML_Char *, int, const XML_Char *, int, const XML_Char *,
                          const XML_Char *, const XML_Char *, const XML_Char *)
{
    static_cast<Collector *>(user)->stop("an entity declaration in a manifest");
}

} // namespace

std::string AssemblyIdentity::text() const
{
    std::string out = name.empty() ? std::string("(unnamed)") : name;
    for (const std::string *part : {&version, &processorArchitecture, &publicKeyToken})
        if (!part->empty())
            out += " " + *part;
    if (!language.empty() && language != "*")
        out += " " + language;
    return out;
}

Result<Manifest> parseManifest(std::string_view xml, const std::string &name)
{
    if (xml.size() > manifest_limits::kMaxBytes)
        return Error{EFBIG, name + ": manifest larger than " + std::to_string(manifest_limits::kMaxBytes) + " bytes"};
    if (xml.empty())
        return Error{0, name + ": empty manifest"};
    // No encoding forced: expat follows the byte order mark and the XML declaration.
    XML_Parser parser = XML_ParserCreate(nullptr);
    if (!parser)
        return Error{ENOMEM, name + ": cannot create an XML parser"};
    Collector c;
    c.parser = parser;
    XML_SetUserData(parser, &c);
    XML_SetElementHandler(parser, onStart, onEnd);
    XML_SetStartDoctypeDeclHandler(parser, onDoctype);
    XML_SetEntityDeclHandler(parser, onEntityDecl);
    XML_SetParamEntityParsing(parser, XML_PARAM_ENTITY_PARSING_NEVER);
    const auto status = XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), XML_TRUE);
    std::string message = c.error;
    if (message.empty() && status != XML_STATUS_OK)
        message = std::string(XML_ErrorString(XML_GetErrorCode(parser))) + " at line " +
                  std::to_string(XML_GetCurrentLineNumber(parser)) + ", column " +
                  std::to_string(XML_GetCurrentColumnNumber(parser));
    XML_ParserFree(parser);
    if (!message.empty())
        return Error{0, name + ": malformed manifest: " + message};
    return std::move(c.manifest);
}

} // namespace loadlens::wintriage
