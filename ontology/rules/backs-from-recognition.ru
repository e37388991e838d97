#+ title: Recognising a claimant is backing them
#+ description: Whoever recognises a person or government (as president, as the legitimate government) backs them (CAMEO 054, PLOVER SUPPORT). The direction is recognizer -> recognized, never the reverse.
#+ version: 1
PREFIX gk: <https://w3id.org/geokg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
INSERT {
  GRAPH ?edge { ?s gk:backs ?o }
  ?edge a gk:DerivedEdge ; gk:edgeSubject ?s ; gk:edgeRelation gk:backs ; gk:edgeObject ?o ;
        prov:wasDerivedFrom ?claim ; prov:qualifiedDerivation ?derivation .
  ?derivation a prov:Derivation ; prov:entity ?claim ; prov:hadPlan ?_rule .
}
WHERE {
  GRAPH ?doc {
    ?claim a gk:Claim ; gk:claimSubject ?s ; gk:claimRelation gk:recognizes ; gk:claimObject ?o ; gk:status ?status .
  }
  FILTER (?status NOT IN (gk:Denied, gk:Negated, gk:Hypothetical))
  FILTER (STRSTARTS(STR(?s), "https://w3id.org/geokg/id/") && STRSTARTS(STR(?o), "https://w3id.org/geokg/id/"))
  BIND (IRI(CONCAT("https://w3id.org/geokg/derived/backs/", STRAFTER(STR(?s), "/id/"), "/", STRAFTER(STR(?o), "/id/"))) AS ?edge)
  BIND (IRI(CONCAT(STR(?edge), "/from/", STRAFTER(STR(?claim), "/claim/"), "/by/", STRAFTER(STR(?_rule), "/rule/"))) AS ?derivation)
}
