#+ title: A state acts through its government, its bodies, its forces and its people
#+ description: A claim that a government (gk:governmentOf), a ministry or agency that is part of a government (gk:partOf), the state's armed forces or units (gk:country), or a person of the state (gk:country) backs, opposes, recognizes, sanctions, lends to, deploys to, threatens or criticizes someone also gives the state's edge, derived from that claim (the person's or body's claim stays the evidence; this rule is the derivation's plan, so an analyst can tell the two apart). Political movements and private companies of a state do not speak for it. Denied, negated and hypothetical claims give nothing.
#+ version: 1
PREFIX gk: <https://w3id.org/geokg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
INSERT {
  GRAPH ?edge { ?state ?p ?o }
  ?edge a gk:DerivedEdge ; gk:edgeSubject ?state ; gk:edgeRelation ?p ; gk:edgeObject ?o ;
        prov:wasDerivedFrom ?claim ; prov:qualifiedDerivation ?derivation .
  ?derivation a prov:Derivation ; prov:entity ?claim ; prov:hadPlan ?_rule .
}
WHERE {
  GRAPH ?doc {
    ?claim a gk:Claim ; gk:claimSubject ?actor ; gk:claimRelation ?p ; gk:claimObject ?o ; gk:status ?status .
  }
  VALUES ?p { gk:backs gk:opposes gk:recognizes gk:sanctions gk:lendsTo gk:deploysTo gk:threatens gk:criticizes }
  FILTER (?status NOT IN (gk:Denied, gk:Negated, gk:Hypothetical))
  {
    ?actor a gk:Government ; gk:governmentOf ?state .
  } UNION {
    ?actor gk:partOf ?government . ?government a gk:Government ; gk:governmentOf ?state .
  } UNION {
    ?actor gk:country ?state .
    { ?actor a gk:ArmedForces } UNION { ?actor a gk:MilitaryUnit } UNION { ?actor a gk:Person }
  }
  ?state a gk:State .
  FILTER (?state != ?o)
  FILTER (STRSTARTS(STR(?actor), "https://w3id.org/geokg/id/") && STRSTARTS(STR(?o), "https://w3id.org/geokg/id/"))
  BIND (IRI(CONCAT("https://w3id.org/geokg/derived/", STRAFTER(STR(?p), "#"), "/",
                   STRAFTER(STR(?state), "/id/"), "/", STRAFTER(STR(?o), "/id/"))) AS ?edge)
  BIND (IRI(CONCAT(STR(?edge), "/from/", STRAFTER(STR(?claim), "/claim/"), "/by/", STRAFTER(STR(?_rule), "/rule/"))) AS ?derivation)
}
