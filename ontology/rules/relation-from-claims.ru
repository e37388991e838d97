#+ title: Analyst edge from a claim of that relation
#+ description: Every claim that a subject stands in an analyst relation to an object (backs, opposes, recognizes, sanctions, lendsTo, deploysTo, leads, headOfState, headOfGovernment, threatens, criticizes, memberOf, importsFrom, fliesTo) gives that edge, unless the claim is denied or negated. Hypothetical claims give edges too; their status stays on the claim.
#+ version: 1
PREFIX gk: <https://w3id.org/geokg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
INSERT {
  GRAPH ?edge { ?s ?p ?o }
  ?edge a gk:DerivedEdge ; gk:edgeSubject ?s ; gk:edgeRelation ?p ; gk:edgeObject ?o ;
        prov:wasDerivedFrom ?claim ; prov:qualifiedDerivation ?derivation .
  ?derivation a prov:Derivation ; prov:entity ?claim ; prov:hadPlan ?_rule .
}
WHERE {
  GRAPH ?doc {
    ?claim a gk:Claim ; gk:claimSubject ?s ; gk:claimRelation ?p ; gk:claimObject ?o ; gk:status ?status .
  }
  VALUES ?p { gk:backs gk:opposes gk:recognizes gk:sanctions gk:lendsTo gk:deploysTo gk:leads
              gk:headOfState gk:headOfGovernment gk:threatens gk:criticizes gk:memberOf
              gk:importsFrom gk:fliesTo }
  FILTER (?status NOT IN (gk:Denied, gk:Negated))
  FILTER (STRSTARTS(STR(?s), "https://w3id.org/geokg/id/") && STRSTARTS(STR(?o), "https://w3id.org/geokg/id/"))
  BIND (IRI(CONCAT("https://w3id.org/geokg/derived/", STRAFTER(STR(?p), "#"), "/",
                   STRAFTER(STR(?s), "/id/"), "/", STRAFTER(STR(?o), "/id/"))) AS ?edge)
  BIND (IRI(CONCAT(STR(?edge), "/from/", STRAFTER(STR(?claim), "/claim/"), "/by/", STRAFTER(STR(?_rule), "/rule/"))) AS ?derivation)
}
