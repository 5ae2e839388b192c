#pragma once

#include <pugixml.hpp>
#include <string>
#include <string_view>

namespace pairtune {

// Parses one XML part of a workbook in place (the string must outlive the document). Malformed XML
// throws pairtune::Error "path: part is not well-formed XML (...)". Whitespace-only text is kept:
// a cell holding " " is a cell holding a space.
void parseWorkbookXml(
    pugi::xml_document &document, std::string &content, const std::string &path, const std::string &part);

// Element and attribute names without their namespace prefix ("x:row" and "row" are both "row"):
// writers differ in the prefixes they pick, never in the local names.
std::string_view localName(const char *name);
pugi::xml_node firstChild(const pugi::xml_node &node, std::string_view name);
const char *attributeValue(const pugi::xml_node &node, std::string_view name); // "" when absent

template <typename Visit> void forEachChild(const pugi::xml_node &node, std::string_view name, Visit visit)
{
    for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
        if (child.type() == pugi::node_element && localName(child.name()) == name)
            visit(child);
    }
}

} // namespace pairtune
