#+ title: Sanctions, threats and criticism are opposition
#+ description: Whoever sanctions, threatens or criticises a target opposes it (CAMEO 111, 13x, 163; PLOVER ACCUSE, THREATEN, SANCTION). A threat counts even though what it threatens is hypothetical: the warning itself was made. Denied or negated claims give nothing ("avoided criticizing" is not criticism).
#+ version: 1
PREFIX gk: <https://w3id.org/geokg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
INSERT {
  GRAPH ?edge { ?s gk:opposes ?o }
  ?edge a gk:DerivedEdge ; gk:edgeSubject ?s ; gk:edgeRelation gk:opposes ; gk:edgeObject ?o ;
        prov:wasDerivedFrom ?claim ; prov:qualifiedDerivation ?derivation .
  ?derivation a prov:Derivation ; prov:entity ?claim ; prov:hadPlan ?_rule .
}
WHERE {
  GRAPH ?doc {
    ?claim a gk:Claim ; gk:claimSubject ?s ; gk:claimRelation ?p ; gk:claimObject ?o ; gk:status ?status .
  }
  VALUES ?p { gk:sanctions gk:threatens gk:criticizes }
  FILTER (?status NOT IN (gk:Denied, gk:Negated))
  FILTER (STRSTARTS(STR(?s), "https://w3id.org/geokg/id/") && STRSTARTS(STR(?o), "https://w3id.org/geokg/id/"))
  BIND (IRI(CONCAT("https://w3id.org/geokg/derived/opposes/", STRAFTER(STR(?s), "/id/"), "/", STRAFTER(STR(?o), "/id/"))) AS ?edge)
  BIND (IRI(CONCAT(STR(?edge), "/from/", STRAFTER(STR(?claim), "/claim/"), "/by/", STRAFTER(STR(?_rule), "/rule/"))) AS ?derivation)
}
